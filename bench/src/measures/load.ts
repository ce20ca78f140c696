import { startBareNodeServer, startServer } from "../support/server.ts";
import { failed, type Row } from "../support/row.ts";
import { timedGet, trpcListUrl, type Timed } from "../support/http.ts";
import { fmt, median, nowMs, percentile } from "../support/stats.ts";
import { Random } from "../corpus/random.ts";
import { openServices } from "../support/services.ts";
import type { BenchContext } from "./context.ts";
import { liveStreamEnv, startLiveStreams, streamingBuilt, type LiveStreams } from "./live-streams.ts";

const TARGET = "0 errors, p99 < 50 ms";
const CLIENTS = 100;
const STREAMS = 10;

/** Each paging client asks for a page, reads it, and asks again a second later (a person scrolling fast). */
const PERIOD_MS = 1_000;
const WARM_UP_SECONDS = 5;

/**
 * Measure 7: 100 clients paging history plus 10 live chat streams, for a fixed time on loopback. The target
 * row paces each client (one page per client per second, as people and apps page); a second, informative row
 * has the same clients asking back to back (saturation: with one core busy, latency is then the queue length
 * times the service time, so it shows capacity, not responsiveness). Bounded: the loops stop at the deadline.
 */
export async function measureLoad(ctx: BenchContext): Promise<Row[]> {
  const measure = `7. load: ${CLIENTS} paging clients (1 page/s each) + ${STREAMS} live streams`;
  const paging = ctx.paging;
  if (!paging) return [failed(measure, TARGET, new Error("no paging database"))];
  const seconds = Number(process.env.BENCH_LOAD_SECONDS ?? (ctx.mode === "quick" ? 3 : 60));
  const sessionId = paging.sessionId;
  const maxOffset = Math.max(0, paging.total - 50);
  const pageUrl = (base: string, offset: number) => trpcListUrl(base, { sessionId, limit: 50, offset });

  // Baselines: the same client loops against a bare node server returning a page-sized body: what this
  // harness and loopback can do when the server costs nothing.
  const pageBytes = samplePageBytes(paging.db, sessionId, Math.floor(maxOffset / 2));
  const bare = await startBareNodeServer(pageBytes);
  const barePaced = await pacedLoop(CLIENTS, Math.max(2, seconds / 3), (i) => timedGet(pageUrl(bare.url, i)));
  const bareRun = await closedLoop(CLIENTS, Math.max(1, seconds / 6), (i) => timedGet(pageUrl(bare.url, i)));
  await bare.stop();

  const server = await startServer({ ILS_DB: paging.db, ...liveStreamEnv() });
  let errors = 0;
  let streams: LiveStreams | undefined;
  let streamError = "";
  try {
    if (streamingBuilt()) {
      streams = await startLiveStreams(server.url, STREAMS, ctx.projectDir, Math.min(600, seconds * 20)).catch((error: unknown) => {
        streamError = error instanceof Error ? error.message : String(error);
        errors += 1;
        return undefined;
      });
    }
    const random = new Random(7);
    // Warm-up, not counted: the first requests and run starts of a fresh process run cold code (V8 compiles
    // it as it goes) and open the clients' connections; a server that has been up for a while is past that.
    const warmUp = await pacedLoop(CLIENTS, WARM_UP_SECONDS, () => timedGet(pageUrl(server.url, random.int(0, maxOffset))));
    errors += warmUp.errors;
    const paced = await pacedLoop(CLIENTS, seconds, () => timedGet(pageUrl(server.url, random.int(0, maxOffset))));
    const saturated = await closedLoop(CLIENTS, Math.max(1, seconds / 6), () => timedGet(pageUrl(server.url, random.int(0, maxOffset))));
    errors += paced.errors;
    const streamed = streams ? await streams.stop() : undefined;
    const p99 = percentile(paced.latencies, 99);
    const streamNote = streamed
      ? `; ${STREAMS} streams: ${streamed.messages} msgs, ${streamed.errors} errors${streamed.firstError ? ` (first: ${streamed.firstError.slice(0, 120)})` : ""}`
      : streamError
        ? `; live streams failed: ${streamError.slice(0, 120)}`
        : "; live streams n/a (not built)";
    errors += streamed?.errors ?? 0;
    return [
      {
        measure: `${measure}, ${seconds} s after a ${WARM_UP_SECONDS} s warm-up`,
        result: `${fmt(paced.rate, 0)} req/s, p50 ${fmt(median(paced.latencies))} ms, p99 ${fmt(p99)} ms, ${errors} errors${streamNote} (warm-up, not counted: p99 ${fmt(percentile(warmUp.latencies, 99))} ms)`,
        baseline: `bare node server, ${fmt(pageBytes / 1000, 0)} KB body: p99 ${fmt(percentile(barePaced.latencies, 99))} ms`,
        ratio: `${fmt(p99 / Math.max(0.001, percentile(barePaced.latencies, 99)), 1)}x p99`,
        target: TARGET,
        pass: errors === 0 && p99 < 50,
      },
      {
        measure: `(info) saturation: the same ${CLIENTS} clients back to back (+ streams)`,
        result: `${fmt(saturated.rate, 0)} req/s, p50 ${fmt(median(saturated.latencies))} ms, p99 ${fmt(percentile(saturated.latencies, 99))} ms, ${saturated.errors} errors`,
        baseline: `bare node server: ${fmt(bareRun.rate, 0)} req/s, p99 ${fmt(percentile(bareRun.latencies, 99))} ms`,
        ratio: `${fmt(saturated.rate / bareRun.rate)}x req/s`,
        target: "-",
        pass: null,
      },
    ];
  } finally {
    await server.stop();
  }
}

/** `clients` loops, each sending one request per PERIOD_MS (starts spread over the first period). */
async function pacedLoop(clients: number, seconds: number, request: (i: number) => Promise<Timed>) {
  const latencies: number[] = [];
  let errors = 0;
  const started = nowMs();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      let next = started + (i * PERIOD_MS) / clients;
      for (;;) {
        const wait = next - nowMs();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (nowMs() >= deadline) return;
        const t = await request(i);
        latencies.push(t.ms);
        if (!t.ok || t.items === 0) errors += 1;
        next += PERIOD_MS;
      }
    }),
  );
  return { latencies, errors, rate: latencies.length / ((nowMs() - started) / 1000) };
}

/** `clients` loops, each sending its next request when the previous answer arrived, until the deadline. */
async function closedLoop(clients: number, seconds: number, request: (i: number) => Promise<Timed>) {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = nowMs() + seconds * 1000;
  const started = nowMs();
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      while (nowMs() < deadline) {
        const t = await request(i);
        latencies.push(t.ms);
        if (!t.ok || t.items === 0) errors += 1;
      }
    }),
  );
  return { latencies, errors, rate: latencies.length / ((nowMs() - started) / 1000) };
}

/** Size of one page as the server sends it (tRPC wraps it in `{"result":{"data":...}}`). */
function samplePageBytes(db: string, sessionId: string, offset: number): number {
  const services = openServices(db);
  try {
    return Buffer.byteLength(JSON.stringify({ result: { data: services.history.list({ sessionId, limit: 50, offset }) } }));
  } finally {
    services.db.close();
  }
}
