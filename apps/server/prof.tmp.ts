import { readFileSync } from "node:fs";
import { createTestServices } from "./test/support/in-process.ts";
const s = createTestServices();
if (process.env.NOCKPT) s.db.pragma("wal_autocheckpoint = 0");
const sid = s.sessions.create({}).id;
const lines = readFileSync("../../fixtures/generated/09-long/stdout.jsonl", "utf8").split("\n").filter(Boolean);
const times: number[] = [];
for (let r = 0; r < 30; r++) for (const l of lines) {
  const v = JSON.parse(l); v.uuid = crypto.randomUUID();
  const raw = JSON.stringify(v);
  const t = performance.now(); s.ingest.appendMessages(sid, [{ raw }]); times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log("n", times.length, "p50", times[times.length >> 1]!.toFixed(3), "p99", times[Math.floor(times.length * 0.99)]!.toFixed(3), "max", times.at(-1)!.toFixed(2));
s.cleanup();
