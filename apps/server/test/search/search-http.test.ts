import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { FIXTURES, tempDir } from "../support/temp.ts";

/** Acceptance 3 and the REST surface (search + export) against a real server process. */
const TRANSCRIPT = join(
  FIXTURES,
  "generated",
  "02-tools",
  "transcripts",
  "-home-user-project-tools",
  "2d003217-3f56-4841-a730-bf4aeda8fca6.jsonl",
);
const lines = readFileSync(TRANSCRIPT, "utf8").split("\n").filter(Boolean);

/** The fields of a tRPC answer the checks read. */
interface TrpcBody {
  result: { data: { id: string; inserted: number; items: { sessionId: string }[] } };
  error: { message: string; data: { code: string } };
}

describe("search and export over HTTP", () => {
  const dir = tempDir();
  let server: ServerProcess;
  let sessionId: string;

  const trpc = async (procedure: string, input: unknown, method: "GET" | "POST" = "GET") => {
    const encoded = encodeURIComponent(JSON.stringify(input));
    const res =
      method === "GET"
        ? await fetch(`${server.url}/trpc/${procedure}?input=${encoded}`)
        : await fetch(`${server.url}/trpc/${procedure}`, {
            method,
            headers: { "content-type": "application/json" },
            body: JSON.stringify(input),
          });
    return { status: res.status, body: (await res.json()) as TrpcBody };
  };
  const rest = async (path: string) => {
    const res = await fetch(`${server.url}/api/v1${path}`);
    return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
  };

  beforeAll(async () => {
    server = await startServerProcess({ ILS_DB: join(dir.path, "ils.db") });
    sessionId = (await trpc("sessions.create", { name: "tools run" }, "POST")).body.result.data.id;
    const appended = await trpc("messages.append", { sessionId, messages: lines }, "POST");
    expect(appended.body.result.data.inserted).toBe(lines.length);
  });
  afterAll(async () => {
    await server?.stop();
    dir.cleanup();
  });

  const malformed: [string, string][] = [
    ['"', "unterminated string"],
    ["AND", "syntax error"],
    ["*", "`*` must follow a word"],
    ["*reads", "`*` must follow a word"],
    ["NEAR(", "syntax error"],
    ["nosuchcolumn:word", "no such column"],
    ["x".repeat(10 * 1024), "at most 1000 characters"],
    ["find\u0000me", "control characters"],
    ["bell\u0007", "control characters"],
    ["   ", "must not be empty"],
  ];

  for (const [q, reason] of malformed) {
    it(`tRPC answers 400 for ${JSON.stringify(q.slice(0, 12))}`, async () => {
      const { status, body } = await trpc("search.query", { q });
      expect(status).toBe(400);
      expect(body.error.data.code).toBe("VALIDATION_ERROR");
      expect(body.error.message).toContain("q");
      expect(body.error.message).toContain(reason);
    });
  }

  it("REST answers 400 with the error envelope for malformed queries", async () => {
    for (const [q, reason] of malformed) {
      const { status, text } = await rest(`/search?q=${encodeURIComponent(q)}`);
      expect(status).toBe(400);
      const body = JSON.parse(text);
      expect(body.success).toBe(false);
      expect(body.error.code).toBe("VALIDATION_ERROR");
      expect(body.error.message).toContain(reason);
    }
  });

  it("REST search returns ranked hits in the envelope, pages with the cursor", async () => {
    const first = JSON.parse((await rest(`/search?q=README&limit=1`)).text);
    expect(first.success).toBe(true);
    expect(first.data.items).toHaveLength(1);
    expect(first.data.items[0]).toMatchObject({ sessionId, sessionName: "tools run" });
    expect(first.data.items[0].timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(first.data.total).toBeGreaterThan(1);
    const second = JSON.parse((await rest(`/search?q=README&limit=1&cursor=${first.data.nextCursor}`)).text);
    expect(second.data.items[0].messageId).not.toBe(first.data.items[0].messageId);
    const tRPC = await trpc("search.query", { q: '"two-line summary"' });
    expect(tRPC.body.result.data.items[0]!.sessionId).toBe(sessionId);
  });

  it("exports JSONL byte for byte and Markdown as text", async () => {
    const jsonl = await rest(`/sessions/${sessionId}/export?format=jsonl`);
    expect(jsonl.status).toBe(200);
    expect(jsonl.type).toContain("application/x-ndjson");
    expect(jsonl.text).toBe(lines.map((l) => l + "\n").join(""));
    const markdown = await rest(`/sessions/${sessionId}/export?format=markdown`);
    expect(markdown.type).toContain("text/markdown");
    expect(markdown.text).toMatch(/^# tools run\n/);
    expect(markdown.text).toContain("<summary>Tool call: Bash</summary>");
    const missing = await rest(`/sessions/00000000-0000-4000-8000-000000000000/export`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).error.code).toBe("NOT_FOUND");
    const badFormat = await rest(`/sessions/${sessionId}/export?format=pdf`);
    expect(badFormat.status).toBe(400);
  });
});
