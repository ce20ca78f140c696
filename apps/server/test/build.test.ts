import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "./support/server-process.ts";
import { REPO_ROOT, tempDir } from "./support/temp.ts";

const SERVER = join(REPO_ROOT, "apps", "server");
const dir = tempDir();
afterAll(() => dir.cleanup());

describe("the production build (`pnpm start`)", () => {
  it("bundles the server, which starts on plain node, applies migrations, serves /health, /docs and the session browser, and stops cleanly", async () => {
    await promisify(execFile)(process.execPath, [join(SERVER, "scripts", "build.mjs")], { cwd: SERVER });
    expect(existsSync(join(SERVER, "dist", "main.mjs"))).toBe(true);
    expect(existsSync(join(SERVER, "dist", "checkpoint-worker.mjs"))).toBe(true);

    const port = await freePort();
    const db = join(dir.path, "ils.db");
    // From another working directory: nothing may depend on where it is started.
    const child = spawn(process.execPath, [join(SERVER, "dist", "main.mjs")], {
      cwd: dir.path,
      env: { ...process.env, ILS_DB: db, ILS_PORT: String(port), ILS_SYNC: "off", ILS_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    let health: Response | undefined;
    for (let i = 0; i < 200 && !health?.ok; i++) {
      health = await fetch(`${url}/health`).catch(() => undefined);
      if (!health?.ok) await new Promise((r) => setTimeout(r, 50));
    }
    expect(health?.status, output).toBe(200);
    expect((await fetch(`${url}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
    // The session browser comes from the bundle written at build time (dist/web-bundle), not built at start.
    expect(existsSync(join(SERVER, "dist", "web-bundle", "app.js"))).toBe(true);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`src="assets/app.js"`);
    const script = await fetch(`${url}/assets/app.js`);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(await script.text()).toBe(readFileSync(join(SERVER, "dist", "web-bundle", "app.js"), "utf8"));
    const created = await fetch(`${url}/api/v1/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(created.status).toBe(200);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(!existsSync(`${db}-wal`) || statSync(`${db}-wal`).size === 0).toBe(true);
    expect(output).not.toContain("checkpoint");
  });
});
