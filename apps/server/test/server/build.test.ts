import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../support/server-process.ts";
import { REPO_ROOT, tempDir } from "../support/temp.ts";
import { SERVER_VERSION } from "../../src/version.ts";

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

  // In this file, after the test above: both build dist/, which must not happen twice at once.
  it(
    "packs into a tarball that, installed globally (npm i -g), gives a working `ils`: native better-sqlite3, migrations, serve",
    async () => {
      const packed = join(dir.path, "pack");
      // `pnpm pack` builds first (prepack) and turns the workspace versions into plain ones.
      execFileSync("npx", ["--yes", "pnpm@10.34.8", "pack", "--pack-destination", packed], { cwd: SERVER, stdio: "pipe" });
      const tarball = join(
        packed,
        readdirSync(packed).find((name) => name.endsWith(".tgz"))!,
      );
      const prefix = join(dir.path, "prefix");
      // better-sqlite3 compiles from source (node-gyp): no prebuilt binary can be downloaded here.
      execFileSync("npm", ["install", "--global", "--prefix", prefix, tarball, "--no-audit", "--no-fund", "--prefer-offline"], {
        cwd: dir.path,
        env: { ...process.env, npm_config_build_from_source: "true", SCARF_ANALYTICS: "false" },
        stdio: "pipe",
      });
      const bin = join(prefix, "bin", "ils");
      const env = { ...process.env, ILS_DB: join(dir.path, "installed.db"), ILS_SYNC: "off", ILS_LOG_LEVEL: "warn" };
      const run = (args: string[]) => execFileSync(bin, args, { cwd: dir.path, env, encoding: "utf8" });

      expect(run(["--version"]).trim()).toBe(SERVER_VERSION);
      // Opens the database with the package's own better-sqlite3 and applies the migrations it carries.
      expect(JSON.parse(run(["sessions", "list", "--json"]))).toMatchObject({ items: [], total: 0 });
      const doctor = run(["doctor"]);
      expect(doctor).toMatch(/^ok\s+database\s+.*installed\.db \(.*\), schema up to date \(\d+ migrations\)$/m);
      expect(doctor).not.toMatch(/^fail/m);

      const port = await freePort();
      const child = spawn(bin, ["serve"], { cwd: dir.path, env: { ...env, ILS_PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] });
      let output = "";
      child.stderr.on("data", (d) => (output += d));
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      let health: Response | undefined;
      for (let i = 0; i < 200 && !health?.ok; i++) {
        health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        if (!health?.ok) await new Promise((r) => setTimeout(r, 50));
      }
      expect(health?.status, output).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    },
    20 * 60_000,
  );
});
