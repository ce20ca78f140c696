import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ios from "../support/ios-decoders.ts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { tempDir } from "../support/temp.ts";
import { buildClaudeDir, transcriptFiles, tryParse } from "../sync/sync-fixtures.ts";

// Acceptance 1 of issue 14, over every fixture transcript (fixtures/transcripts and the recordings in
// fixtures/generated), imported by the real sync into a temp SQLite file and read back as the app reads it.
type Msg = {
  id: string;
  role: string;
  content: string;
  createdAt: string;
  toolCalls?: string;
  toolResults?: string;
  seq: number;
  type: string;
  raw: RawLine;
};
/** The fields of a stored line the checks read. */
type RawLine =
  | { timestamp?: unknown; snapshot?: { timestamp?: unknown }; isMeta?: unknown; isCompactSummary?: unknown; isApiErrorMessage?: unknown }
  | null
  | undefined;
type Row = {
  id: string;
  name?: string;
  claudeSessionId?: string;
  subagentCount?: number;
  parentToolUseId?: string;
  parentSessionId?: string;
  totalCostUSD?: number;
  firstPrompt?: string;
};

let server: ServerProcess;
const dir = tempDir("ils-present-");
let files: ReturnType<typeof transcriptFiles>;
let all: Row[];
let listed: Row[];
const history = new Map<string, { shown: Msg[]; stored: Msg[] }>();

const api = (path: string) => `${server.url}/api/v1${path}`;
async function get<T>(path: string, decoder: (value: unknown, path: string) => unknown): Promise<T> {
  const res = await fetch(api(path));
  expect(res.status, path).toBe(200);
  const body = await res.json();
  ios.envelope(decoder)(body, "$"); // what the app decodes: throws on anything it would reject
  return (body as { data: T }).data;
}
async function pages(query: string): Promise<Row[]> {
  const out: Row[] = [];
  for (let page = 1; ; page++) {
    const data = await get<{ items: Row[]; hasMore: boolean }>(`/sessions?page=${page}&limit=50${query}`, ios.sessionPage);
    out.push(...data.items);
    if (!data.hasMore) return out;
  }
}

beforeAll(async () => {
  const claudeDir = join(dir.path, "claude");
  const projects = buildClaudeDir(claudeDir);
  files = transcriptFiles(projects);
  server = await startServerProcess({ ILS_DB: join(dir.path, "ils.db"), ILS_CLAUDE_DIR: claudeDir });
  const scan = await fetch(api("/sessions/scan"), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  expect(scan.status).toBe(200);
  all = await pages("&include=all");
  listed = await pages("");
  for (const s of all) {
    const shown = (await get<{ items: unknown[] }>(`/sessions/${s.id.toUpperCase()}/messages`, ios.messageList)).items as Msg[];
    const stored = (await get<{ items: unknown[] }>(`/sessions/${s.id}/messages?include=all`, ios.messageList)).items as Msg[];
    history.set(s.id, { shown, stored });
  }
}, 240_000);
afterAll(async () => {
  await server?.stop();
  dir.cleanup();
});

const secondOf = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const ownDate = (raw: RawLine): string | undefined =>
  typeof raw?.timestamp === "string" ? raw.timestamp : typeof raw?.snapshot?.timestamp === "string" ? raw.snapshot.timestamp : undefined;

describe("presentation over every fixture transcript (REST, as the app decodes it)", () => {
  it("imports every file as one session and serves every line with ?include=all", () => {
    expect(all.length).toBe(files.length);
    for (const file of files) {
      const row = all.find((s) => s.claudeSessionId === file.claudeSessionId);
      expect(row, file.rel).toBeDefined();
      const lines = readFileSync(file.path, "utf8")
        .split("\n")
        .filter((l) => tryParse(l) !== undefined);
      expect(history.get(row!.id)!.stored.length, file.rel).toBeLessThanOrEqual(lines.length);
    }
  });

  it("dates: no createdAt after the newest date of its file; an undated line lies between its dated neighbours", () => {
    let undated = 0;
    for (const file of files) {
      const row = all.find((s) => s.claudeSessionId === file.claudeSessionId)!;
      const stored = history.get(row.id)!.stored;
      const dates = stored.map((m) => ownDate(m.raw)).filter((d): d is string => d !== undefined);
      const newest = dates.length ? Math.max(...dates.map(secondOf)) : Math.floor(statSync(file.path).mtimeMs / 1000);
      stored.forEach((m, i) => {
        expect(secondOf(m.createdAt), `${file.rel} seq ${m.seq}`).toBeLessThanOrEqual(newest);
        if (ownDate(m.raw) !== undefined) return;
        undated += 1;
        const before = stored
          .slice(0, i)
          .reverse()
          .find((x) => ownDate(x.raw) !== undefined);
        const after = stored.slice(i + 1).find((x) => ownDate(x.raw) !== undefined);
        if (before)
          expect(secondOf(m.createdAt), `${file.rel} seq ${m.seq} after its earlier neighbour`).toBeGreaterThanOrEqual(
            secondOf(before.createdAt),
          );
        if (after)
          expect(secondOf(m.createdAt), `${file.rel} seq ${m.seq} before its later neighbour`).toBeLessThanOrEqual(
            secondOf(after.createdAt),
          );
      });
    }
    expect(undated).toBeGreaterThan(40); // summaries, last-prompt, snapshots without a date, ...
  });

  it("bubbles: nothing served by default is empty; bookkeeping is left out; text is plain", () => {
    let shownCount = 0;
    let storedCount = 0;
    const seenTypes = new Set<string>();
    for (const { shown, stored } of history.values()) {
      shownCount += shown.length;
      storedCount += stored.length;
      for (const m of stored) seenTypes.add(m.type);
      for (const m of shown) {
        expect(m.content.trim() !== "" || m.toolCalls !== undefined || m.toolResults !== undefined, `${m.type} seq ${m.seq}`).toBe(true);
        expect(["progress", "file-history-snapshot", "queue-operation", "summary", "last-prompt", "attachment", "mode"]).not.toContain(
          m.type,
        );
        // eslint-disable-next-line no-control-regex -- asserts no terminal escape (ESC) is left
        expect(m.content).not.toMatch(/\u001b\[/);
        expect(m.content).not.toMatch(/^<(command-name|local-command-stdout|command-message)>/);
        if (m.role === "user") expect(m.raw?.isMeta).not.toBe(true);
        if (m.raw?.isCompactSummary) expect(m.role).toBe("system");
        // A user line that only answers tool calls is shown as the results of the call it answers (the
        // assistant line with the tool_use); one whose call is not in the session stays on the assistant's side.
        if (m.type === "user" && m.toolResults && m.content === "") expect(m.role).toBe("assistant");
        if (m.type === "assistant" && m.toolResults) {
          const calls = new Set((JSON.parse(m.toolCalls ?? "[]") as { id: string }[]).map((c) => c.id));
          for (const r of JSON.parse(m.toolResults) as { toolUseId: string }[]) expect(calls.has(r.toolUseId), `seq ${m.seq}`).toBe(true);
        }
      }
    }
    expect(shownCount).toBeLessThan(storedCount);
    // Nearly every tool result is shown with its call (2,069 results in the corpus answer 2,068 calls in the same file).
    const everyShownMsg = [...history.values()].flatMap((h) => h.shown);
    const attached = everyShownMsg.filter((m) => m.type === "assistant" && m.toolResults).length;
    const standalone = everyShownMsg.filter((m) => m.type === "user" && m.toolResults && m.content === "").length;
    expect(attached).toBeGreaterThan(2000);
    expect(standalone).toBeLessThan(attached / 50);
    for (const type of ["progress", "file-history-snapshot", "queue-operation", "summary", "attachment"]) expect(seenTypes).toContain(type);
    const everyShown = [...history.values()].flatMap((h) => h.shown);
    // Thinking-only turns show their thinking; the one image shows as [image]; API errors show their message.
    expect(everyShown.some((m) => m.content.startsWith("Thinking: "))).toBe(true);
    expect(everyShown.some((m) => m.content.includes("[image]"))).toBe(true);
    const errors = everyShown.filter((m) => m.raw?.isApiErrorMessage === true);
    expect(errors.length).toBeGreaterThan(0);
    for (const m of errors) expect(m.content.length).toBeGreaterThan(12);
  });

  it("what is a conversation: every default row has a user or assistant bubble, none is a sub-agent", () => {
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.length).toBeLessThan(all.length);
    for (const row of listed) {
      expect(row.claudeSessionId ?? "").not.toMatch(/\/agent-/);
      expect(row.parentSessionId).toBeUndefined();
      const { shown } = history.get(row.id)!;
      expect(
        shown.some((m) => m.type === "user" || m.type === "assistant"),
        row.claudeSessionId,
      ).toBe(true);
    }
    // Files holding only summaries/snapshots are stored (include=all) but not listed.
    const bookkeepingOnly = all.filter((s) => !history.get(s.id)!.stored.some((m) => m.type === "user" || m.type === "assistant"));
    expect(bookkeepingOnly.length).toBeGreaterThan(0);
    for (const s of bookkeepingOnly) expect(listed.map((r) => r.id)).not.toContain(s.id);
    // Titles never show wrappers, and firstPrompt previews are stripped the same way.
    for (const row of listed) {
      expect(row.name ?? "").not.toMatch(/^<[a-z_-]+>|^Caveat:/);
      expect(row.firstPrompt ?? "").not.toMatch(/<(ide_selection|ide_opened_file|command-name|system-reminder)>/);
    }
  });

  it("sub-agents are listed under their parent and linked to the tool call that started them", async () => {
    const agents = all.filter((s) => /\/agent-/.test(s.claudeSessionId ?? ""));
    expect(agents.length).toBeGreaterThan(10);
    // 2.1.x recording: .meta.json and toolUseResult.agentId both name the Agent tool_use.
    const parent = listed.find((s) => s.claudeSessionId === "3b440f46-2f5b-4230-9372-89e7ac4b102e")!;
    expect(parent.subagentCount).toBe(1);
    const children = await get<{ items: unknown[] }>(`/sessions/${parent.id}/subagents`, ios.sessionList);
    expect(children.items).toHaveLength(1);
    const child = children.items[0] as Row;
    expect(child.parentSessionId).toBe(parent.id);
    const toolUse = history
      .get(parent.id)!
      .shown.flatMap((m) => (m.toolCalls ? (JSON.parse(m.toolCalls) as { id: string; name: string }[]) : []));
    expect(toolUse.find((c) => c.name === "Agent")?.id).toBe(child.parentToolUseId);
    // 2.1.7 (no .meta.json): the parent's tool_result names the agent (toolUseResult.agentId).
    const cowork = all.find((s) => s.claudeSessionId === "04872614-7a20-43c0-8885-83854894eabc")!;
    const coworkChildren = (await get<{ items: unknown[] }>(`/sessions/${cowork.id}/subagents`, ios.sessionList)).items as Row[];
    expect(coworkChildren.length).toBeGreaterThan(0);
    const coworkCalls = history
      .get(cowork.id)!
      .shown.flatMap((m) => (m.toolCalls ? (JSON.parse(m.toolCalls) as { id: string }[]).map((c) => c.id) : []));
    for (const c of coworkChildren) expect(coworkCalls).toContain(c.parentToolUseId);
    // Every sub-agent with a parent is counted under it.
    const withParent = agents.filter((a) => a.parentSessionId !== undefined);
    const counted = all.reduce((n, s) => n + (s.subagentCount ?? 0), 0);
    expect(counted).toBe(withParent.length);
  });

  it("cost: imported sessions with usage of known models have an estimate", () => {
    const total = all.reduce((sum, s) => sum + (s.totalCostUSD ?? 0), 0);
    expect(total).toBeGreaterThan(1);
    const simple = all.find((s) => s.claudeSessionId === "c278289d-b3a8-42bf-9ac2-43b544bebace")!;
    expect(simple.totalCostUSD).toBeGreaterThan(0);
  });
});
