import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServices } from "../support/in-process.ts";
import { FIXTURES } from "../support/temp.ts";

/**
 * Acceptance 1 on the real transcript corpus (69 files, 12,301 lines), loaded through the single write
 * path. Expected counts come from the files, through an extraction written independently of the SQL view.
 */
const TRANSCRIPTS = join(FIXTURES, "transcripts");
const files = (readdirSync(TRANSCRIPTS, { recursive: true }) as string[]).filter((f) => f.endsWith(".jsonl")).sort();

/** What docs/search.md says is searchable, re-stated in JavaScript. */
/** The fields of a transcript line and its content blocks that the rule reads. */
interface SearchedLine {
  isMeta?: unknown;
  message?: { content?: unknown };
  summary?: unknown;
  customTitle?: unknown;
}
type Block = { type?: unknown; text: string; thinking: string; name: string; input?: unknown; content?: unknown } | null | undefined;

function searchableText(input: unknown): string {
  if (typeof input === "string") return input;
  const value = input as SearchedLine | null;
  if (!value || typeof value !== "object" || Array.isArray(value) || value.isMeta === true) return "";
  const parts: string[] = [];
  const leaves = (x: unknown): void => {
    if (typeof x === "string") parts.push(x);
    else if (x && typeof x === "object") Object.values(x).forEach(leaves);
  };
  const content = value.message?.content;
  if (typeof content === "string") parts.push(content);
  if (Array.isArray(content)) {
    for (const block of content as Block[]) {
      if (block?.type === "text") parts.push(block.text);
      else if (block?.type === "thinking") parts.push(block.thinking);
      else if (block?.type === "tool_use") {
        parts.push(block.name);
        leaves(block.input);
      } else if (block?.type === "tool_result") {
        if (typeof block.content === "string") parts.push(block.content);
        else if (Array.isArray(block.content))
          for (const inner of block.content as Block[]) if (inner?.type === "text") parts.push(inner.text);
      }
    }
  }
  if (typeof value.summary === "string") parts.push(value.summary);
  if (typeof value.customTitle === "string") parts.push(value.customTitle);
  return parts.filter((p) => typeof p === "string").join("\n");
}

const words = (text: string) =>
  new Set(
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  );

describe("search over the fixture corpus", () => {
  const services = createTestServices();
  /** Every stored message, as the files say: uuid (or line) -> its words. */
  const stored: { sessionId: string; uuid: string | null; words: Set<string> }[] = [];

  beforeAll(async () => {
    for (const file of files) {
      const session = await services.sessions.create({ name: file });
      const lines = readFileSync(join(TRANSCRIPTS, file), "utf8")
        .split("\n")
        .filter((l) => l.trim());
      const inserted = services.ingest.appendMessages(
        session.id,
        lines.map((raw) => ({ raw })),
      );
      for (const message of inserted) {
        stored.push({ sessionId: session.id, uuid: message.uuid, words: words(searchableText(message.content)) });
      }
    }
  });
  afterAll(() => services.cleanup());

  it("loads the whole corpus", () => {
    expect(stored.length).toBe(12_301);
  });

  it("finds a distinctive phrase's message first", () => {
    const target = "bb1d9931-4bed-4772-93f0-c07d750091fa"; // "Let me try a different approach by providing all the answers at once:"
    const phrase = services.search.query({ q: '"providing all the answers at once"', limit: 10 });
    expect(phrase.items.map((h) => h.messageId)).toHaveLength(1);
    const words = services.search.query({ q: "providing answers once", limit: 10 });
    expect(words.items.length).toBeGreaterThan(0);
    const first = services.history.list({ sessionId: words.items[0]!.sessionId, around: words.items[0]!.messageId, limit: 1 }).items[0]!;
    expect(first.uuid).toBe(target);
    expect(phrase.items[0]!.messageId).toBe(words.items[0]!.messageId);
    // The snippet shows the match, with ranges pointing at the matched words.
    const hit = words.items[0]!;
    expect(hit.highlights.map((h) => hit.snippet.slice(h.start, h.start + h.length).toLowerCase())).toEqual([
      "providing",
      "answers",
      "once",
    ]);
    expect(hit.sessionName).toContain("fe5e1c67-53e7-4862-81ae-d0e013e3270b");
  });

  for (const word of ["restart", "parallel"]) {
    it(`returns every message containing "${word}" across pages`, () => {
      const expected = stored.filter((m) => m.words.has(word)).length;
      expect(expected).toBeGreaterThan(20);
      const seen = new Set<string>();
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = services.search.query({ q: word, limit: 10, ...(cursor ? { cursor } : {}) });
        expect(page.total).toBe(expected);
        for (const hit of page.items) seen.add(hit.messageId);
        const ranks = page.items.map((h) => h.rank);
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b)); // best (lowest bm25) first
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor);
      expect(seen.size).toBe(expected);
      expect(pages).toBe(Math.ceil(expected / 10));
    });
  }

  it("supports prefix queries and filters", () => {
    const prefix = services.search.query({ q: "restar*", limit: 100 });
    const exact = services.search.query({ q: "restart", limit: 100 });
    expect(prefix.total).toBeGreaterThan(exact.total); // restarted, restarting, ...
    const sessionId = exact.items[0]!.sessionId;
    const inSession = services.search.query({ q: "restart", sessionId, limit: 100 });
    expect(inSession.total).toBe(stored.filter((m) => m.sessionId === sessionId && m.words.has("restart")).length);
    expect(inSession.items.every((h) => h.sessionId === sessionId)).toBe(true);
    const assistantOnly = services.search.query({ q: "restart", type: "assistant", limit: 100 });
    expect(assistantOnly.items.length).toBeGreaterThan(0);
    expect(assistantOnly.items.every((h) => h.type === "assistant")).toBe(true);
    expect(assistantOnly.total).toBeLessThan(exact.total);
  });

  it("pages exactly with each filter, in the unfiltered order", () => {
    const all = (input: Record<string, string>) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      let total: number;
      do {
        const page = services.search.query({ q: "restart", limit: 7, ...input, ...(cursor ? { cursor } : {}) });
        total = page.total;
        ids.push(...page.items.map((h) => h.messageId));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(total);
      return ids;
    };
    const unfiltered = all({});
    expect(unfiltered).toHaveLength(stored.filter((m) => m.words.has("restart")).length);
    // A filter every message passes (FTS5-only ranking vs the filtered statements): the same hits, same order.
    expect(all({ from: "2000-01-01T00:00:00Z" })).toEqual(unfiltered);
    const first = services.search.query({ q: "restart", limit: 1 }).items[0]!;
    const inSession = all({ sessionId: first.sessionId });
    expect(inSession).toEqual(unfiltered.filter((id) => inSession.includes(id)));
    expect(inSession).toHaveLength(stored.filter((m) => m.sessionId === first.sessionId && m.words.has("restart")).length);
    // Each fixture file is its own session (no projectPath): a path no session has finds nothing.
    expect(all({ projectPath: "/nowhere" })).toEqual([]);
    const both = all({ sessionId: first.sessionId, type: first.type, to: "2100-01-01T00:00:00Z" });
    expect(both).toEqual(inSession.filter((id) => both.includes(id)));
    expect(both.length).toBeGreaterThan(0);
  });
});
