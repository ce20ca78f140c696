import { Worker } from "node:worker_threads";
import type { Database } from "./database.ts";
import type { Logger } from "../logger.ts";

/**
 * Moves WAL checkpoints off the main thread: the server's connection stops checkpointing by itself and a
 * worker with its own connection checkpoints every `intervalMs`. If the worker dies, automatic checkpoints
 * come back on, so the WAL never grows without bound.
 */
export function startBackgroundCheckpoints(db: Database, path: string, logger: Logger, intervalMs = 500): () => Promise<void> {
  const worker = new Worker(new URL("./checkpoint-worker.mjs", import.meta.url), { workerData: { path, intervalMs } });
  db.pragma("wal_autocheckpoint = 0");
  let stopping = false;
  worker.on("message", (message: { error?: string }) => {
    if (message.error) logger.warn({ error: message.error }, "background checkpoint failed");
  });
  worker.on("error", (error) => logger.warn({ err: error }, "checkpoint worker failed"));
  worker.on("exit", () => {
    if (stopping) return;
    logger.warn("checkpoint worker exited: automatic checkpoints are back on");
    db.pragma("wal_autocheckpoint = 1000");
  });
  worker.unref();
  return async () => {
    stopping = true;
    worker.postMessage("stop");
    await new Promise<void>((resolve) => {
      worker.once("exit", () => resolve());
      setTimeout(resolve, 2_000).unref();
    });
    db.pragma("wal_autocheckpoint = 1000");
    db.pragma("wal_checkpoint(TRUNCATE)");
  };
}
