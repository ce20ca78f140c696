import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { FIXTURES } from "../support/temp.ts";

/**
 * Lays the fixture transcripts out as one Claude config dir (`<claudeDir>/projects/<project>/...`), copying
 * (the fixtures stay untouched). Generated runs that recorded the same session twice (resume/fork run-1 and
 * run-2) keep the later, longer copy: run-2's file starts with run-1's bytes.
 */
export function buildClaudeDir(claudeDir: string): string {
  const projects = join(claudeDir, "projects");
  mkdirSync(projects, { recursive: true });
  const t = join(FIXTURES, "transcripts");
  for (const source of [
    "HillviewCap__Personal_AI_Infrastructure/.claude/projects",
    "OpenCoworkAI__open-cowork/.claude/projects",
    "Smartagent-so__Personal_AI_Infrastructure/.claude/projects",
    "d-kimuson__claude-code-viewer/mock-global-claude-dir/projects",
  ]) {
    cpSync(join(t, source), projects, { recursive: true });
  }
  cpSync(join(t, "marot__spotter/test/fixtures/transcripts"), join(projects, "marot-spotter"), { recursive: true });
  // The author's export layout `<sid>/<sid>.jsonl` becomes Claude's `<project>/<sid>.jsonl`.
  for (const repo of ["tonyandrewmeyer__mcp-server-operator", "tonyandrewmeyer__sungather-k8s-operator"]) {
    const dir = join(t, repo, ".claude/transcripts");
    for (const sid of readdirSync(dir)) {
      mkdirSync(join(projects, repo), { recursive: true });
      cpSync(join(dir, sid, `${sid}.jsonl`), join(projects, repo, `${sid}.jsonl`));
    }
  }
  for (const transcripts of findDirs(join(FIXTURES, "generated"), "transcripts")) {
    for (const file of walk(transcripts)) {
      // `agent-<id>.meta.json` beside a 2.1.x sub-agent transcript names the tool call that started it.
      if (!file.endsWith(".jsonl") && !file.endsWith(".meta.json")) continue;
      const target = join(projects, relative(transcripts, file));
      if (existsSync(target) && statSync(target).size >= statSync(file).size) continue;
      mkdirSync(dirname(target), { recursive: true });
      cpSync(file, target);
    }
  }
  return projects;
}

/** Every transcript under a projects dir, as the importer's discovery would name it. */
export function transcriptFiles(projects: string): { path: string; rel: string; claudeSessionId: string }[] {
  const out: { path: string; rel: string; claudeSessionId: string }[] = [];
  for (const path of walk(projects)) {
    if (!path.endsWith(".jsonl")) continue;
    const rel = relative(projects, path).split("\\").join("/");
    const parts = rel.split("/");
    const name = basename(path, ".jsonl");
    if (parts.length === 2 && !name.startsWith("agent-")) {
      out.push({ path, rel, claudeSessionId: /^[0-9a-f-]{36}$/.test(name) ? name : `${parts[0]}/${name}` });
    } else if (parts.length === 4 && parts[2] === "subagents") {
      out.push({ path, rel, claudeSessionId: `${parts[1]}/${name}` });
    } else if (parts.length === 2) {
      // Flat 2.0.x agent file: its lines name the parent session.
      const first = readFileSync(path, "utf8")
        .split("\n")
        .map(tryParse)
        .find((v) => typeof v?.sessionId === "string");
      out.push({ path, rel, claudeSessionId: `${first?.sessionId ?? parts[0]}/${name}` });
    }
  }
  return out;
}

/**
 * What the importer must store for one file, counted straight from the bytes: every line that is a JSON
 * object, once per uuid (lines without uuid are keyed by their byte offset), in file order.
 */
export function expectedLines(path: string): string[] {
  const text = readFileSync(path, "utf8");
  const seen = new Set<string>();
  const out: string[] = [];
  let offset = 0;
  for (const line of text.split("\n").slice(0, -1)) {
    const start = offset;
    offset += Buffer.byteLength(line) + 1;
    const value = tryParse(line);
    if (!value || line.trim() === "") continue;
    const key = typeof value.uuid === "string" && value.uuid ? value.uuid : `@${start}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(line);
  }
  return out;
}

/** The fields of a transcript line the tests read (an assistant line's `message` carries its id and usage). */
export interface TranscriptLine {
  type?: unknown;
  uuid?: unknown;
  timestamp?: unknown;
  summary?: unknown;
  isMeta?: unknown;
  message: { id: string; content?: unknown; usage: Record<string, number> };
  [key: string]: unknown;
}

export function tryParse(line: string): TranscriptLine | undefined {
  try {
    const v = JSON.parse(line);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

function findDirs(root: string, name: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(root, entry.name);
    if (entry.name === name) out.push(path);
    else out.push(...findDirs(path, name));
  }
  return out;
}
