import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { spawnSync } from "node:child_process";
import { CORPUS_ROOT, REPO_ROOT, SERVER_BUILD, SERVER_BUNDLE, SERVER_MAIN } from "./paths.ts";
import { nowMs } from "./stats.ts";

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** ms from spawn to the first 200 from /health. */
  startMs: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `url` every 5 ms until it answers 200 (bounded); returns when it does. */
export async function waitForOk(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}: ${output().slice(-500)}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms: ${output().slice(-500)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let built = false;

/** Builds the server bundle once per bench run: the same `dist/main.mjs` that `pnpm start` builds and runs. */
export function buildServer(): void {
  if (built) return;
  const result = spawnSync(process.execPath, [SERVER_BUILD], { cwd: REPO_ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`server build failed: ${result.stderr}`);
  built = true;
}

/** The server as `pnpm start` runs it: plain node on the esbuild bundle. */
export function startServer(env: Record<string, string>): Promise<ServerProcess> {
  buildServer();
  return spawnServer([SERVER_BUNDLE], env);
}

/** The server in development mode (`pnpm --filter @ils/server dev`): TypeScript compiled by tsx at start. */
export function startDevServer(env: Record<string, string>): Promise<ServerProcess> {
  return spawnServer(["--import", "tsx", SERVER_MAIN], env);
}

async function spawnServer(nodeArgs: string[], env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const started = nowMs();
  // BENCH_SERVER_PROFILE=<dir>: each server writes a V8 CPU profile there when it stops (open in Chrome DevTools).
  const profileDir = process.env.BENCH_SERVER_PROFILE;
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, ...nodeArgs], {
    cwd: REPO_ROOT,
    // Chat runs happen in the corpus folder (BenchContext.projectDir), not in the home folder.
    env: {
      ...process.env,
      ILS_LOG_LEVEL: "warn",
      ILS_SYNC: "off",
      ILS_PROJECT_ROOTS: CORPUS_ROOT,
      ...env,
      ILS_PORT: String(port),
      ILS_HOST: "127.0.0.1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return attach(child, `http://127.0.0.1:${port}`, started);
}

/** Baseline: a bare Node http server answering every request with `bodyBytes` bytes of JSON. */
export async function startBareNodeServer(bodyBytes = 2): Promise<ServerProcess> {
  const port = await freePort();
  const started = nowMs();
  const body = `JSON.stringify({items:[0],pad:"x".repeat(${Math.max(0, bodyBytes - 23)})})`;
  const script = `const b=Buffer.from(${body});require("http").createServer((q,s)=>{s.setHeader("content-type","application/json");s.end(b)}).listen(${port},"127.0.0.1")`;
  const child = spawn(process.execPath, ["-e", script], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return attach(child, `http://127.0.0.1:${port}`, started);
}

async function attach(child: ChildProcess, url: string, started: number): Promise<ServerProcess> {
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitForOk(`${url}/health`, child, () => output);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  const startMs = nowMs() - started;
  return {
    url,
    child,
    startMs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
