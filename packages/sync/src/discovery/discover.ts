import { readdirSync, statSync, type Dirent } from "node:fs";
import { join } from "node:path";

export type TranscriptKind = "main" | "subagent";

/** A transcript file under `<claudeDir>/projects`, with the stat needed to decide whether to read it. */
export interface TranscriptFile {
  path: string;
  /** Relative to the projects folder, always with `/` (stable key for `SyncFile` and dedupe keys). */
  relPath: string;
  /** The project folder name (encoded cwd; never decoded: the lines carry the real `cwd`). */
  project: string;
  kind: TranscriptKind;
  /** Main file: its name without `.jsonl` (Claude's session id). */
  stem: string;
  /** Sub-agent: the agent id from `agent-<id>.jsonl`. */
  agentId: string | undefined;
  /**
   * Sub-agent in `<session>/subagents/` (2.1.x): the parent's Claude id. Flat `agent-*.jsonl` (2.0.x) has
   * none here; its lines carry the parent's `sessionId`.
   */
  parentKey: string | undefined;
  size: number;
  mtimeMs: number;
  inode: string;
}

/**
 * Lists transcripts: `<project>/<session>.jsonl`, flat `<project>/agent-<id>.jsonl` and
 * `<project>/<session>/subagents/agent-<id>.jsonl`. Main files come first so a sub-agent finds its parent.
 * Synchronous readdir + stat: a re-scan of thousands of unchanged files is only these calls.
 */
export function discoverTranscripts(projectsDir: string): TranscriptFile[] {
  const mains: TranscriptFile[] = [];
  const agents: TranscriptFile[] = [];
  for (const project of listDir(projectsDir)) {
    if (!project.isDirectory()) continue;
    const projectDir = join(projectsDir, project.name);
    for (const entry of listDir(projectDir)) {
      if (entry.isFile() && entry.name.endsWith(".jsonl")) {
        const stem = entry.name.slice(0, -".jsonl".length);
        const agentId = stem.startsWith("agent-") ? stem.slice("agent-".length) : undefined;
        const file = describe(join(projectDir, entry.name), `${project.name}/${entry.name}`, project.name, stem, agentId, undefined);
        if (file) (agentId === undefined ? mains : agents).push(file);
      } else if (entry.isDirectory()) {
        const subagentsDir = join(projectDir, entry.name, "subagents");
        for (const agent of listDir(subagentsDir)) {
          if (!agent.isFile() || !agent.name.startsWith("agent-") || !agent.name.endsWith(".jsonl")) continue;
          const stem = agent.name.slice(0, -".jsonl".length);
          const rel = `${project.name}/${entry.name}/subagents/${agent.name}`;
          const file = describe(join(subagentsDir, agent.name), rel, project.name, stem, stem.slice("agent-".length), entry.name);
          if (file) agents.push(file);
        }
      }
    }
  }
  return [...mains, ...agents];
}

function describe(
  path: string,
  relPath: string,
  project: string,
  stem: string,
  agentId: string | undefined,
  parentKey: string | undefined,
): TranscriptFile | undefined {
  try {
    const stat = statSync(path, { bigint: true });
    return {
      path,
      relPath,
      project,
      kind: agentId === undefined ? "main" : "subagent",
      stem,
      agentId,
      parentKey,
      size: Number(stat.size),
      mtimeMs: Number(stat.mtimeNs) / 1e6,
      inode: stat.ino.toString(),
    };
  } catch {
    return undefined; // removed between readdir and stat
  }
}

function listDir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // missing (no Claude sessions yet) or unreadable
  }
}
