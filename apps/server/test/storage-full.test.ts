import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type App } from "../src/app.ts";
import { loadConfig } from "../src/config/config.ts";
import { tempDir } from "./support/temp.ts";

/**
 * A full disk, made real for SQLite: `max_page_count` caps the server's own connection at the pages the file
 * has now, so the next write that needs a page fails with SQLITE_FULL exactly as on a full disk.
 */
describe("a full disk", () => {
  const dir = tempDir("ils-full-");
  let app: App;

  beforeAll(async () => {
    app = await startServer(loadConfig({ ILS_DB: join(dir.path, "ils.db"), ILS_PORT: "0", ILS_LOG_LEVEL: "silent", ILS_SYNC: "off" }));
    const db = app.services.db;
    db.pragma(`max_page_count = ${db.pragma("page_count", { simple: true }) as number}`);
  });
  afterAll(async () => {
    app.services.db.pragma("max_page_count = 1073741823");
    await app.stop();
    dir.cleanup();
  });

  /** Creates sessions until a write fails; returns that response. */
  async function fillUp(create: () => Promise<Response>): Promise<Response> {
    for (let i = 0; i < 1_000; i += 1) {
      const res = await create();
      if (res.status !== 200) return res;
      await res.arrayBuffer();
    }
    throw new Error("the database never filled up");
  }

  it("REST: 507 STORAGE_FULL with a message, and reads keep working", async () => {
    const res = await fillUp(() =>
      fetch(`${app.url}/api/v1/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "x".repeat(200) }) }),
    );
    expect(res.status).toBe(507);
    const body = (await res.json()) as { success: boolean; error: { code: string; message: string } };
    expect(body.success).toBe(false);
    expect(body.error.code).toBe("STORAGE_FULL");
    expect(body.error.message).toMatch(/disk .* full/);
    const list = await fetch(`${app.url}/api/v1/sessions`);
    expect(list.status).toBe(200);
  });

  it("tRPC: 507 with data.code STORAGE_FULL", async () => {
    const res = await fillUp(() =>
      fetch(`${app.url}/trpc/sessions.create`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "y".repeat(200) }) }),
    );
    expect(res.status).toBe(507);
    const body = (await res.json()) as { error: { message: string; data: { code: string; httpStatus: number } } };
    expect(body.error.data).toMatchObject({ code: "STORAGE_FULL", httpStatus: 507 });
    expect(body.error.message).toMatch(/disk .* full/);
    expect(JSON.stringify(body)).not.toMatch(/SQLITE|at \//);
  });
});
