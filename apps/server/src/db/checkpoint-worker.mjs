// Runs WAL checkpoints on a connection of its own, in a worker thread, so their fsync never stalls the
// server's event loop (an automatic checkpoint inside a commit cost ~7 ms at p99 per streamed message).
import { parentPort, workerData } from "node:worker_threads";
import BetterSqlite3 from "better-sqlite3";

const db = new BetterSqlite3(workerData.path);
db.pragma("busy_timeout = 5000");
const timer = setInterval(() => {
  try {
    // PASSIVE never blocks the writer; pages still read by someone wait for the next round.
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (error) {
    parentPort?.postMessage({ error: String(error) });
  }
}, workerData.intervalMs);

parentPort?.on("message", (message) => {
  if (message === "stop") {
    clearInterval(timer);
    db.close();
    process.exit(0);
  }
});
