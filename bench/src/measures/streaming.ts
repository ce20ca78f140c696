import { notBuilt, type Row } from "../support/row.ts";
import { startServer } from "../support/server.ts";
import { bareReader, createSession, sseRun, wsRun, type StreamResult } from "../support/stream-clients.ts";
import { fmt, median, percentile } from "../support/stats.ts";
import type { BenchContext } from "./context.ts";
import { STAND_IN, streamingBuilt } from "./live-streams.ts";

const LATENCY_TARGET = "added p99 < 2 ms";
const THROUGHPUT_TARGET = ">= 5,000 msg/s total";

/**
 * Measure 4. Latency: lines paced 2 ms apart, each stamped by the stand-in when written; end-to-end
 * (stamp -> client) over WS and SSE against the same stand-in read by a bare pipe reader. Throughput:
 * unpaced runs on 1, 10 and 50 concurrent sessions over WS, messages/s from first stamp to last receipt.
 */
export async function measureStreaming(ctx: BenchContext): Promise<Row[]> {
  if (!streamingBuilt()) return [notBuilt("4. live streaming", LATENCY_TARGET, "chat streaming or the stand-in")];
  const quick = ctx.mode === "quick";
  // The tail is a handful of scheduling stalls per run, each delaying a few consecutive lines: 5,000 lines
  // (10 s) per transport keep one unlucky stall from deciding the p99 alone.
  const paced = quick ? 200 : 5000;
  const warmUpLines = quick ? 200 : 2000;
  const perStream = quick ? 100 : 1000;
  const rows: Row[] = [];
  const pacedPrompt = `bench latency [bench lines=${paced} delay=2]`;

  const bare = await bareReader(STAND_IN, pacedPrompt);
  const bareP50 = median(bare.latencies);
  const bareP99 = percentile(bare.latencies, 99);
  const server = await startServer({ ILS_DB: `${ctx.workDir}/streaming.db`, ILS_CLAUDE_BIN: STAND_IN });
  try {
    // Warm-up, not counted: a fresh process runs cold code for its first messages (V8 compiles the hot paths
    // as they get hot, stalling a few messages by milliseconds); a server that has been up a while is past that.
    const warmUpPrompt = `bench warm-up [bench lines=${warmUpLines} delay=2]`;
    await wsRun(server.url, await createSession(server.url, ctx.projectDir), warmUpPrompt, warmUpLines);
    await sseRun(server.url, await createSession(server.url, ctx.projectDir), warmUpPrompt, warmUpLines);
    const transports: [string, (id: string) => Promise<StreamResult>][] = [
      ["WS (tRPC chat.events)", (id) => wsRun(server.url, id, pacedPrompt, paced)],
      ["SSE (REST chat/stream)", (id) => sseRun(server.url, id, pacedPrompt, paced)],
    ];
    for (const [name, run] of transports) {
      const measure = `4. streaming latency, ${name}, ${paced} msgs after a warm-up run`;
      try {
        const r = await run(await createSession(server.url, ctx.projectDir));
        const p50 = median(r.latencies);
        const p99 = percentile(r.latencies, 99);
        rows.push({
          measure,
          result: `p50 ${fmt(p50)} / p99 ${fmt(p99)} ms stdout->client`,
          baseline: `bare pipe reader p50 ${fmt(bareP50)} / p99 ${fmt(bareP99)} ms`,
          ratio: `added p50 ${fmt(p50 - bareP50)} / p99 ${fmt(p99 - bareP99)} ms`,
          target: LATENCY_TARGET,
          pass: p99 - bareP99 < 2,
        });
      } catch (error) {
        rows.push({
          measure,
          result: "error",
          baseline: "",
          ratio: "",
          target: LATENCY_TARGET,
          pass: false,
          note: String(error instanceof Error ? error.message : error).slice(0, 200),
        });
      }
    }

    const levels = [1, 10, 50];
    const totals: string[] = [];
    let worst = Infinity;
    let failures = 0;
    for (const streams of levels) {
      const sessions = await Promise.all(Array.from({ length: streams }, () => createSession(server.url, ctx.projectDir)));
      const prompt = `bench throughput [bench lines=${perStream} delay=0]`;
      const results = await Promise.allSettled(sessions.map((id) => wsRun(server.url, id, prompt, perStream)));
      const ok = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
      failures += results.length - ok.length;
      const messages = ok.reduce((n, r) => n + r.latencies.length, 0);
      const seconds = (Math.max(...ok.map((r) => r.lastReceive)) - Math.min(...ok.map((r) => r.firstStamp))) / 1000;
      const rate = messages / seconds;
      worst = Math.min(worst, streams > 1 ? rate : Infinity);
      totals.push(`${streams}: ${fmt(rate, 0)}`);
    }
    // Baseline: the bare reader on one unpaced run.
    const bareFast = await bareReader(STAND_IN, `[bench lines=${perStream} delay=0]`);
    const bareRate = bareFast.latencies.length / ((bareFast.lastReceive - bareFast.firstStamp) / 1000);
    rows.push({
      measure: `4. streaming throughput over WS, ${perStream} msgs per stream (streams: msg/s)`,
      result: `${totals.join(", ")}${failures ? `; ${failures} streams failed` : ""}`,
      baseline: `bare pipe reader, 1 stream: ${fmt(bareRate, 0)} msg/s`,
      ratio: "",
      target: `${THROUGHPUT_TARGET} (10 and 50 streams)`,
      pass: failures === 0 && worst >= 5000,
    });
  } finally {
    await server.stop();
  }
  return rows;
}
