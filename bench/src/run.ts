import { cpus, totalmem } from "node:os";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { ensureCorpus, type CorpusMode } from "./corpus/generate.ts";
import { measureChatBesideSync } from "./measures/chat-beside-sync.ts";
import { measureColdStart } from "./measures/cold-start.ts";
import type { BenchContext } from "./measures/context.ts";
import { measureImport } from "./measures/import.ts";
import type { IngestSessionResult } from "./measures/ingest-session.ts";
import { measureLoad } from "./measures/load.ts";
import { measurePaging } from "./measures/paging.ts";
import { measureSearch } from "./measures/search.ts";
import { measureWarmStart } from "./measures/warm-start.ts";
import { measureStreaming } from "./measures/streaming.ts";
import { runWorker } from "./support/child.ts";
import { CORPUS_ROOT, FIXTURES, REPO_ROOT } from "./support/paths.ts";
import { failed, renderTable, type Row } from "./support/row.ts";
import { fmt, mb } from "./support/stats.ts";

// `pnpm bench [--quick] [--seed N]`: quick is the small CI-sized corpus; without it the >= 1 GB corpus.
const args = process.argv.slice(2);
const mode: CorpusMode = args.includes("--quick") ? "quick" : "large";
const seedAt = args.indexOf("--seed");
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 1;
const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const runStarted = Date.now();

const manifest = ensureCorpus(join(CORPUS_ROOT, mode), mode, seed, FIXTURES, log);
log(`corpus: ${fmt(mb(manifest.bytes), 0)} MB in ${manifest.files} files (+ ${fmt(mb(manifest.single.bytes), 0)} MB single file)`);
const workDir = join(CORPUS_ROOT, `${mode}-work`);
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
const projectDir = join(CORPUS_ROOT, `${mode}-project`);
mkdirSync(projectDir, { recursive: true });
const ctx: BenchContext = { mode, manifest, workDir, projectDir, log };
const rows: Row[] = [];

// `BENCH_ONLY=4,10` runs only the measures with those numbers (and prints their rows without rewriting BENCHMARKS.md).
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",").map((n) => n.trim())) : undefined;

async function step(name: string, target: string, run: () => Promise<Row[]>): Promise<void> {
  const numbers = name.match(/^[\d/]+/)?.[0].split("/") ?? [];
  if (only && !numbers.some((n) => only.has(n)) && !(name === "ingest long session" && only.has("3"))) return;
  log(`${name} ...`);
  try {
    rows.push(...(await run()));
  } catch (error) {
    rows.push(failed(name, target, error));
  }
}

await step("1/2/5. import", "", () => measureImport(ctx));
await step("ingest long session", "", async () => {
  const long = manifest.longSessions[0]!;
  const db = join(workDir, "paging.db");
  const r = await runWorker<IngestSessionResult>(new URL("./measures/ingest-session.ts", import.meta.url), {
    db,
    transcript: long.path,
    projectPath: "/home/bench/long",
  });
  ctx.paging = { db, sessionId: r.sessionId, total: r.total, transcript: long.path };
  return [
    {
      measure: `(info) ingest.appendMessages, one ${r.total.toLocaleString("en-US")}-message session`,
      result: `${fmt(r.total / r.seconds, 0)} rows/s, ${fmt(mb(long.bytes) / r.seconds)} MB/s`,
      baseline: "",
      ratio: "",
      target: "",
      pass: null,
    },
  ];
});
await step("3. history paging", "", () => measurePaging(ctx));
await step("4. live streaming", "", () => measureStreaming(ctx));
await step("6. cold start", "", () => measureColdStart(ctx));
await step("7. load", "", () => measureLoad(ctx));
await step("8. search", "", () => measureSearch(ctx));
await step("9. chat beside ils sync", "0 failed runs", () => measureChatBesideSync(ctx));
await step("10. warm sessions", "", () => measureWarmStart(ctx));

const sqlite = (() => {
  const db = new BetterSqlite3(":memory:");
  const version = (db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v;
  db.close();
  return version;
})();
const cpu = cpus();
const facts = [
  `- date: ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}, mode: ${mode}, seed ${seed}, run took ${fmt((Date.now() - runStarted) / 1000, 0)} s`,
  `- machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown"}), ${fmt(totalmem() / 2 ** 30, 0)} GiB RAM, ${process.platform} ${process.arch}; other work may share the cores`,
  `- Node ${process.version}, SQLite ${sqlite} (better-sqlite3)`,
  `- corpus: ${fmt(mb(manifest.bytes), 0)} MB, ${manifest.files} files (${manifest.sessions} sessions, ${manifest.subagentFiles} sub-agent files), ${manifest.lines.toLocaleString("en-US")} lines; long sessions ${manifest.longSessions.map((s) => s.lines.toLocaleString("en-US")).join(", ")} lines; single file ${fmt(mb(manifest.single.bytes), 0)} MB`,
];
const notes = rows.filter((r) => r.note).map((r) => `- ${r.measure}: ${r.note}`);
const section = [renderTable(rows), "", ...facts, ...(notes.length ? ["", "Notes:", ...notes] : [])].join("\n");
console.log(section);
if (!only) writeSection(mode, section);

/** BENCHMARKS.md keeps one generated section per mode; text outside the markers (analysis) is left alone. */
function writeSection(sectionMode: CorpusMode, body: string): void {
  const path = join(REPO_ROOT, "BENCHMARKS.md");
  const start = `<!-- bench:${sectionMode}:start -->`;
  const end = `<!-- bench:${sectionMode}:end -->`;
  const block = `${start}\n${body}\n${end}`;
  let text = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n\nGenerated by `pnpm bench` (see docs/bench.md).\n";
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) text = text.slice(0, from) + block + text.slice(to + end.length);
  else
    text = `${text.trimEnd()}\n\n## ${sectionMode === "quick" ? "Quick run (`pnpm bench --quick`)" : "Large run (`pnpm bench`)"}\n\n${block}\n`;
  writeFileSync(path, text);
  log(`wrote ${path}`);
}
