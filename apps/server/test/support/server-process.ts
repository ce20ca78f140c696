import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { REPO_ROOT, TEST_PROJECT_ROOTS } from "./temp.ts";

const MAIN = join(REPO_ROOT, "apps", "server", "src", "main.ts");
// `node --import tsx` runs the server in this very process (the `tsx` CLI would fork a second one,
// and a SIGKILL to the wrapper would leave the real server running).
const NODE_ARGS = ["--import", "tsx", MAIN];

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** SIGKILL: no shutdown hooks run, like a crash. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `apps/server/src/main.ts` as a real child process on 127.0.0.1 and waits for /health. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = env.ILS_PORT ? Number(env.ILS_PORT) : await freePort();
  const child = spawn(process.execPath, NODE_ARGS, {
    cwd: REPO_ROOT,
    env: { ...process.env, ILS_LOG_LEVEL: "warn", ILS_SYNC: "off", ILS_PROJECT_ROOTS: TEST_PROJECT_ROOTS, ...env, ILS_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server did not answer /health within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    output: () => output,
    async kill9() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Runs the server entry point to completion (for start-up failures). */
export function runServerToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, NODE_ARGS, {
      cwd: REPO_ROOT,
      env: { ...process.env, ILS_SYNC: "off", ILS_PROJECT_ROOTS: TEST_PROJECT_ROOTS, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
