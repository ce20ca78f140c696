import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";

/**
 * A fixture line compiled once into literal parts and the fields each generated copy rewrites, so producing
 * a line is string concatenation (no JSON re-serialisation per line: that would cap a 1 GB run at JSON speed).
 */
export interface LineTemplate {
  parts: string[];
  /** One letter per gap between parts: U uuid, P parentUuid, S sessionId, C cwd, T timestamp, A agentId, M message.id. */
  slots: string[];
  /** message.id as found, for M slots (suffixed per copy so split assistant groups stay grouped). */
  messageId: string;
}

export interface TranscriptTemplate {
  source: string;
  lines: LineTemplate[];
  bytes: number;
}

export interface TemplateSet {
  mains: TranscriptTemplate[];
  agents: TranscriptTemplate[];
}

const TOKEN = "\u0001";
const SLOT_PATTERN = /"\\u0001([A-Z])"/g;

export function compileLine(text: string): LineTemplate {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { parts: [text], slots: [], messageId: "" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { parts: [text], slots: [], messageId: "" };
  const o = value as Record<string, unknown>;
  const mark = (key: string, letter: string) => {
    if (typeof o[key] === "string") o[key] = TOKEN + letter;
  };
  mark("uuid", "U");
  mark("parentUuid", "P");
  mark("sessionId", "S");
  mark("cwd", "C");
  mark("timestamp", "T");
  mark("agentId", "A");
  let messageId = "";
  const message = o.message as Record<string, unknown> | undefined;
  if (message && typeof message === "object" && typeof message.id === "string") {
    messageId = message.id;
    message.id = `${TOKEN}M`;
  }
  const pieces = JSON.stringify(o).split(SLOT_PATTERN);
  const parts: string[] = [];
  const slots: string[] = [];
  pieces.forEach((piece, i) => (i % 2 === 0 ? parts.push(piece) : slots.push(piece)));
  return { parts, slots, messageId };
}

function listJsonl(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listJsonl(path, out);
    else if (entry.name.endsWith(".jsonl")) out.push(path);
  }
  return out;
}

/** Every transcript in the repo's fixtures (real Claude Code files), split into main sessions and sub-agents. */
export function loadTemplates(fixturesDir: string): TemplateSet {
  const files = [
    ...listJsonl(join(fixturesDir, "transcripts")),
    ...listJsonl(join(fixturesDir, "generated")).filter((p) => p.includes("/transcripts/")),
  ].sort();
  const set: TemplateSet = { mains: [], agents: [] };
  for (const path of files) {
    const lines = readFileSync(path, "utf8")
      .split("\n")
      .filter((line) => line.trim().length > 0)
      .map(compileLine);
    if (lines.length === 0) continue;
    const template = { source: relative(fixturesDir, path), lines, bytes: statSync(path).size };
    (basename(path).startsWith("agent-") ? set.agents : set.mains).push(template);
  }
  if (set.mains.length === 0) throw new Error(`no transcripts under ${fixturesDir}`);
  return set;
}
