import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type App } from "../../src/app.ts";
import { loadConfig } from "../../src/config/config.ts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { tempDir } from "../support/temp.ts";

/**
 * A full disk, made real for SQLite: `max_page_count` caps both of the server's connections (the main one and
 * Prisma's, which creates sessions) at the pages the file has now, so the next write that needs a page fails with
 * SQLITE_FULL exactly as on a full disk.
 */
describe("a full disk", () => {
  const dir = tempDir("ils-full-");
  let app: App;

  beforeAll(async () => {
    app = await startServer(loadConfig({ ILS_DB: join(dir.path, "ils.db"), ILS_PORT: "0", ILS_LOG_LEVEL: "silent", ILS_SYNC: "off" }));
    const db = app.services.db;
    const pages = db.pragma("page_count", { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    await app.services.prisma.$queryRawUnsafe(`PRAGMA max_page_count = ${pages}`);
  });
  afterAll(async () => {
    app.services.db.pragma("max_page_count = 1073741823");
    await app.services.prisma.$queryRawUnsafe("PRAGMA max_page_count = 1073741823");
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
      fetch(`${app.url}/api/v1/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "x".repeat(200) }),
      }),
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
      fetch(`${app.url}/trpc/sessions.create`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "y".repeat(200) }),
      }),
    );
    expect(res.status).toBe(507);
    const body = (await res.json()) as { error: { message: string; data: { code: string; httpStatus: number } } };
    expect(body.error.data).toMatchObject({ code: "STORAGE_FULL", httpStatus: 507 });
    expect(body.error.message).toMatch(/disk .* full/);
    expect(JSON.stringify(body)).not.toMatch(/SQLITE|at \//);
  });
});

/** The same on a real full filesystem: a tiny tmpfs (mounting needs root; skipped otherwise). */
describe.skipIf(process.getuid?.() !== 0)("a full disk (tmpfs), real server process", () => {
  const dir = tempDir("ils-tmpfs-");
  const mount = join(dir.path, "disk");
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.kill9();
    spawnSync("umount", [mount]);
    dir.cleanup();
  });

  it("writes answer 507 STORAGE_FULL on both transports while reads keep working", async () => {
    mkdirSync(mount);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mount]);
    server = await startServerProcess({ ILS_DB: join(mount, "ils.db") });
    const created = await fetch(`${server.url}/api/v1/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(created.status).toBe(200);
    // Fill what is left of the filesystem.
    spawnSync("dd", ["if=/dev/zero", `of=${join(mount, "filler")}`, "bs=64k"], { stdio: "ignore" });

    let rest: Response | undefined;
    for (let i = 0; i < 2_000 && (rest === undefined || rest.status === 200); i += 1) {
      rest = await fetch(`${server.url}/api/v1/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "z".repeat(200) }),
      });
      if (rest.status === 200) await rest.arrayBuffer();
    }
    expect(rest!.status).toBe(507);
    expect(((await rest!.json()) as { error: { code: string } }).error.code).toBe("STORAGE_FULL");
    const trpc = await fetch(`${server.url}/trpc/sessions.create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(trpc.status).toBe(507);
    expect(((await trpc.json()) as { error: { data: { code: string } } }).error.data.code).toBe("STORAGE_FULL");

    const list = await fetch(`${server.url}/api/v1/sessions`);
    expect(list.status).toBe(200);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(server.output()).not.toMatch(/^\s+at /m);
  });
});
