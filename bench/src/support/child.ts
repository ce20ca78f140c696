import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { REPO_ROOT } from "./paths.ts";

/**
 * Runs a bench worker (a TS file printing one JSON line on stdout) in its own Node process,
 * so its memory and CPU are its own and a crash fails one measure, not the run.
 */
export function runWorker<T>(workerUrl: URL, args: unknown, timeoutMs = 30 * 60_000): Promise<T> {
  const file = fileURLToPath(workerUrl);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", file, JSON.stringify(args)], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ILS_LOG_LEVEL: "silent" },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return reject(new Error(`worker ${file} exited ${code}: ${err.trim().split("\n").slice(-3).join(" / ")}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`worker ${file} printed no JSON: ${out.slice(-300)} ${err.slice(-300)}`));
      }
    });
  });
}

/** For workers: parse the argument the parent passed and print the result as the last stdout line. */
export async function workerMain<A, R>(run: (args: A) => Promise<R> | R): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as A;
  const result = await run(args);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
