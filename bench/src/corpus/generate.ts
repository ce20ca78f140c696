import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Random } from "./random.ts";
import { loadTemplates, type LineTemplate, type TemplateSet, type TranscriptTemplate } from "./templates.ts";
import { LineWriter } from "./writer.ts";

export type CorpusMode = "quick" | "large";

export interface CorpusSize {
  projects: number;
  /** Bytes of ordinary sessions (the long ones come on top). */
  ordinaryBytes: number;
  longSessions: number;
  longSessionLines: number;
  /** The single transcript for the peak-memory measure. */
  singleFileBytes: number;
}

export const SIZES: Record<CorpusMode, CorpusSize> = {
  quick: { projects: 8, ordinaryBytes: 10e6, longSessions: 1, longSessionLines: 3_000, singleFileBytes: 12e6 },
  large: { projects: 40, ordinaryBytes: 650e6, longSessions: 3, longSessionLines: 110_000, singleFileBytes: 1.05e9 },
};

export interface TranscriptFile {
  path: string;
  sessionId: string;
  lines: number;
  bytes: number;
}

export interface Manifest {
  generator: number;
  size: CorpusSize;
  mode: CorpusMode;
  seed: number;
  /** A Claude config folder: `<claudeDir>/projects/<encoded-cwd>/<session>.jsonl`. */
  claudeDir: string;
  files: number;
  sessions: number;
  subagentFiles: number;
  lines: number;
  bytes: number;
  longSessions: TranscriptFile[];
  /** A separate Claude folder holding one very large transcript. */
  single: TranscriptFile & { claudeDir: string };
  seconds: number;
}

const GENERATOR_VERSION = 2;
const BASE_TIME = Date.parse("2025-06-01T08:00:00Z");
const WORDS = ["api", "web", "infra", "mobile", "data", "docs", "tools", "billing", "auth", "search", "etl", "ui"];

/** Claude Code's folder name for a cwd: every character outside [A-Za-z0-9-] becomes `-`. */
export function encodeCwd(cwd: string): string {
  return cwd.replace(/[^A-Za-z0-9-]/g, "-");
}

/** Emits template lines with fresh ids, one parentUuid chain per file, and a clock that moves forward. */
class TranscriptEmitter {
  private previousUuid: string | null = null;
  private clock: number;
  private copy = 0;

  constructor(
    private readonly writer: LineWriter,
    private readonly random: Random,
    private readonly sessionId: string,
    private readonly cwd: string,
    private readonly agentId: string,
    start: number,
  ) {
    this.clock = start;
  }

  emit(template: TranscriptTemplate, maxLines = Infinity): number {
    this.copy += 1;
    let written = 0;
    for (const line of template.lines) {
      if (written >= maxLines) break;
      this.writer.write(this.render(line));
      written += 1;
    }
    return written;
  }

  private render(line: LineTemplate): string {
    if (line.slots.length === 0) return line.parts[0]!;
    // Most lines are a few seconds apart; now and then the user comes back minutes later.
    this.clock += this.random.next() < 0.02 ? this.random.int(60_000, 1_800_000) : this.random.int(50, 20_000);
    let uuid: string | null = null;
    let out = line.parts[0]!;
    for (let i = 0; i < line.slots.length; i += 1) {
      let value: string;
      switch (line.slots[i]) {
        case "U":
          uuid ??= this.random.uuid();
          value = uuid;
          break;
        case "P":
          value = this.previousUuid ?? this.random.uuid();
          break;
        case "S":
          value = this.sessionId;
          break;
        case "C":
          value = this.cwd;
          break;
        case "T":
          value = new Date(this.clock).toISOString();
          break;
        case "A":
          value = this.agentId;
          break;
        default:
          value = this.copy === 1 ? line.messageId : `${line.messageId}_${this.copy}`;
      }
      out += `"${value}"${line.parts[i + 1]}`;
    }
    if (uuid) this.previousUuid = uuid;
    return out;
  }
}

export class CorpusGenerator {
  private readonly random: Random;
  private readonly templates: TemplateSet;
  readonly manifest: Omit<Manifest, "single" | "seconds">;

  constructor(
    private readonly out: string,
    private readonly mode: CorpusMode,
    seed: number,
    fixturesDir: string,
  ) {
    this.random = new Random(seed);
    this.templates = loadTemplates(fixturesDir);
    this.manifest = {
      generator: GENERATOR_VERSION,
      size: SIZES[mode],
      mode,
      seed,
      claudeDir: join(out, "claude"),
      files: 0,
      sessions: 0,
      subagentFiles: 0,
      lines: 0,
      bytes: 0,
      longSessions: [],
    };
  }

  run(): Manifest {
    const started = Date.now();
    const size = SIZES[this.mode];
    const projects = Array.from(
      { length: size.projects },
      (_, i) => `/home/bench/src/${WORDS[i % WORDS.length]}-${String(i).padStart(2, "0")}`,
    );
    // A handful of busy projects get most sessions, like real use.
    const projectFor = () => projects[Math.floor(projects.length * this.random.next() ** 2)]!;

    for (let i = 0; i < size.longSessions; i += 1) {
      this.manifest.longSessions.push(this.writeSession(projectFor(), size.longSessionLines));
    }
    const longBytes = this.manifest.bytes;
    while (this.manifest.bytes - longBytes < size.ordinaryBytes) this.writeSession(projectFor());

    const single = this.writeSingle(size.singleFileBytes);
    return { ...this.manifest, single, seconds: (Date.now() - started) / 1000 };
  }

  /** An ordinary session is one real transcript (sometimes resumed into a second); long ones cycle through many. */
  private writeSession(cwd: string, lines?: number): TranscriptFile {
    const sessionId = this.random.uuid();
    const dir = join(this.manifest.claudeDir, "projects", encodeCwd(cwd));
    const path = join(dir, `${sessionId}.jsonl`);
    const writer = new LineWriter(path);
    const start = BASE_TIME + this.random.int(0, 500) * 86_400_000;
    const emitter = new TranscriptEmitter(writer, this.random, sessionId, cwd, "", start);
    if (lines === undefined) {
      emitter.emit(this.random.pick(this.templates.mains));
      if (this.random.next() < 0.1) emitter.emit(this.random.pick(this.templates.mains));
    } else {
      let left = lines;
      while (left > 0) left -= emitter.emit(this.random.pick(this.templates.mains), left);
    }
    writer.close();
    this.count(writer);
    this.manifest.sessions += 1;
    if (this.templates.agents.length > 0 && this.random.next() < 0.3) this.writeSubagents(dir, sessionId, cwd, start);
    return { path, sessionId, lines: writer.lines, bytes: writer.bytes };
  }

  /** Both layouts Claude Code has used: `<sid>/subagents/agent-<id>.jsonl` (2.1.x) and flat `agent-<id>.jsonl` (2.0.x). */
  private writeSubagents(dir: string, sessionId: string, cwd: string, start: number): void {
    const count = this.random.int(1, 3);
    for (let i = 0; i < count; i += 1) {
      const nested = this.random.next() < 0.7;
      const agentId = nested ? `a${this.random.hex(16)}` : this.random.hex(8);
      const path = nested ? join(dir, sessionId, "subagents", `agent-${agentId}.jsonl`) : join(dir, `agent-${agentId}.jsonl`);
      const writer = new LineWriter(path);
      new TranscriptEmitter(writer, this.random, sessionId, cwd, agentId, start).emit(this.random.pick(this.templates.agents));
      writer.close();
      this.count(writer);
      this.manifest.subagentFiles += 1;
    }
  }

  private writeSingle(bytes: number): Manifest["single"] {
    const claudeDir = join(this.out, "single");
    const cwd = "/home/bench/src/one-huge-session";
    const sessionId = this.random.uuid();
    const path = join(claudeDir, "projects", encodeCwd(cwd), `${sessionId}.jsonl`);
    const writer = new LineWriter(path);
    const emitter = new TranscriptEmitter(writer, this.random, sessionId, cwd, "", BASE_TIME);
    // Budget by template size: the writer only learns its byte count when it flushes.
    let planned = 0;
    while (planned < bytes) {
      const template = this.random.pick(this.templates.mains);
      emitter.emit(template);
      planned += template.bytes;
    }
    writer.close();
    return { claudeDir, path, sessionId, lines: writer.lines, bytes: writer.bytes };
  }

  private count(writer: LineWriter): void {
    this.manifest.files += 1;
    this.manifest.lines += writer.lines;
    this.manifest.bytes += writer.bytes;
  }
}

/** Reuses a corpus already generated with the same mode, seed and generator version; else writes a fresh one. */
export function ensureCorpus(
  out: string,
  mode: CorpusMode,
  seed: number,
  fixturesDir: string,
  log: (m: string) => void = () => {},
): Manifest {
  const manifestPath = join(out, "manifest.json");
  if (existsSync(manifestPath)) {
    const existing = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
    if (
      existing.generator === GENERATOR_VERSION &&
      existing.mode === mode &&
      existing.seed === seed &&
      JSON.stringify(existing.size) === JSON.stringify(SIZES[mode])
    )
      return existing;
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  log(`generating ${mode} corpus in ${out} ...`);
  const manifest = new CorpusGenerator(out, mode, seed, fixturesDir).run();
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return manifest;
}
