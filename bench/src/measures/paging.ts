import { startServer } from "../support/server.ts";
import { failed, type Row } from "../support/row.ts";
import { forEachLine } from "../support/files.ts";
import { restListUrl, timedGet, trpcListUrl, type Timed } from "../support/http.ts";
import { fmt, median, nowMs, percentile } from "../support/stats.ts";
import type { BenchContext } from "./context.ts";

const LIMIT = 50;
const TARGET = "last/first p50 <= 1.5; >= 100x naive";

/**
 * Measure 3: first vs last page of the long session over loopback HTTP (tRPC and REST), against the naive
 * approach of reading and parsing the whole transcript for every page.
 */
export async function measurePaging(ctx: BenchContext): Promise<Row[]> {
  const paging = ctx.paging;
  if (!paging) return [failed("3. history paging", TARGET, new Error("no paging database (ingest failed)"))];
  const iterations = ctx.mode === "quick" ? 100 : 400;
  const lastOffset = Math.max(0, paging.total - LIMIT);

  // Naive: the whole file, parsed, then one page sliced (what a server without a database would do).
  const naive: number[] = [];
  for (let i = 0; i < (ctx.mode === "quick" ? 5 : 3); i += 1) {
    const started = nowMs();
    // Every line is parsed (a file cannot be paged without it); only the page is kept, so memory stays flat.
    const page: unknown[] = [];
    let index = 0;
    forEachLine(paging.transcript, (line) => {
      const value: unknown = JSON.parse(line);
      if (index >= lastOffset && index < lastOffset + LIMIT) page.push(value);
      index += 1;
    });
    if (page.length === 0) throw new Error("naive pager found no page");
    naive.push(nowMs() - started);
  }
  const naiveP50 = median(naive);

  const server = await startServer({ ILS_DB: paging.db });
  const rows: Row[] = [];
  try {
    const series = async (url: string): Promise<Timed[]> => {
      const out: Timed[] = [];
      for (let i = 0; i < 10; i += 1) await timedGet(url); // warm-up (JIT, statement cache)
      for (let i = 0; i < iterations; i += 1) out.push(await timedGet(url));
      return out;
    };
    // REST serves the app's view (docs/presentation.md): bookkeeping lines are not counted, so its last page
    // starts at its own total minus a page.
    const restTotal =
      ((await (await fetch(restListUrl(server.url, paging.sessionId, 0, 1))).json()) as { data?: { total?: number } }).data?.total ?? 0;
    const transports: [string, (offset: number) => string, number, number][] = [
      ["tRPC", (offset) => trpcListUrl(server.url, { sessionId: paging.sessionId, limit: LIMIT, offset }), lastOffset, paging.total],
      ["REST", (offset) => restListUrl(server.url, paging.sessionId, offset, LIMIT), Math.max(0, restTotal - LIMIT), restTotal],
    ];
    for (const [name, url, last0, count] of transports) {
      const measure = `3. history paging, ${name} (${count.toLocaleString("en-US")} msgs, ${LIMIT}/page)`;
      const probe = await timedGet(url(0));
      if (!probe.ok || probe.items === 0) {
        rows.push({
          measure,
          result: "n/a (not built)",
          baseline: "",
          ratio: "",
          target: TARGET,
          pass: null,
          note: `${name} page request failed`,
        });
        continue;
      }
      const first = await series(url(0));
      const last = await series(url(last0));
      const bad = [...first, ...last].filter((t) => !t.ok || t.items !== LIMIT).length;
      const f = first.map((t) => t.ms);
      const l = last.map((t) => t.ms);
      const lastOverFirst = median(l) / median(f);
      const speedup = naiveP50 / median(l);
      rows.push({
        measure,
        result: `first p50 ${fmt(median(f))} / p99 ${fmt(percentile(f, 99))} ms; last p50 ${fmt(median(l))} / p99 ${fmt(percentile(l, 99))} ms${bad ? `; ${bad} bad responses` : ""}`,
        baseline: `naive ${fmt(naiveP50)} ms/page`,
        ratio: `last/first ${fmt(lastOverFirst)}; ${fmt(speedup, 0)}x faster`,
        target: TARGET,
        pass: bad === 0 && lastOverFirst <= 1.5 && speedup >= 100,
      });
    }
  } finally {
    await server.stop();
  }
  return rows;
}
