import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatEvent } from "@ils/contracts";
import type { Services } from "../../src/services.ts";
import { FIXTURES, REPO_ROOT } from "../support/temp.ts";

export const FAKE_CLAUDE = join(REPO_ROOT, "tools", "fake-claude", "fake-claude.mjs");

/** The recording's lines as the real CLI printed them. */
/** A recorded stdout line: its `type` plus whatever else the CLI printed. */
export interface RecordedLine {
  type: string;
  [key: string]: unknown;
}

export function recording(scenario: string): RecordedLine[] {
  return readFileSync(join(FIXTURES, "generated", scenario, "stdout.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

export function argvLog(path: string): { pid: number; argv: string[]; cwd: string; grandchildPid: number | null; ilsEnv: string[] }[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Collects events of a session until `until` says stop (or the abort controller fires). */
export async function collectEvents(
  services: Services,
  sessionId: string,
  until: (events: ChatEvent[]) => boolean,
  afterSeq = 0,
): Promise<ChatEvent[]> {
  const controller = new AbortController();
  const events: ChatEvent[] = [];
  for await (const event of services.streaming.events(sessionId, { afterSeq, signal: controller.signal })) {
    events.push(event);
    if (until(events)) controller.abort();
  }
  return events;
}

export const runEnded = (events: ChatEvent[]) => events.some((e) => e.kind === "run" && e.state !== "started");

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
