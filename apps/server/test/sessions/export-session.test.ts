import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/errors/app-error.ts";
import { EXPORT_PAGE_SIZE } from "../../src/export/export-service.ts";
import { createTestServices } from "../support/in-process.ts";
import { FIXTURES, tempDir } from "../support/temp.ts";

/** Acceptance 5: sessions imported by the real sync pass, exported back. */
const SOURCES = {
  long: {
    file: join(FIXTURES, "transcripts", "marot__spotter", "test", "fixtures", "transcripts", "ae4a77f8-aedd-4bc1-888f-c94edc91af04.jsonl"),
    project: "-home-user-spotter",
    claudeSessionId: "ae4a77f8-aedd-4bc1-888f-c94edc91af04",
  },
  tools: {
    file: join(FIXTURES, "generated", "02-tools", "transcripts", "-home-user-project-tools", "2d003217-3f56-4841-a730-bf4aeda8fca6.jsonl"),
    project: "-home-user-project-tools",
    claudeSessionId: "2d003217-3f56-4841-a730-bf4aeda8fca6",
  },
};

async function collect(chunks: AsyncIterable<string>): Promise<{ text: string; chunks: number }> {
  let text = "";
  let count = 0;
  for await (const chunk of chunks) {
    text += chunk;
    count += 1;
  }
  return { text, chunks: count };
}

describe("session export", () => {
  const claudeDir = tempDir();
  let services: ReturnType<typeof createTestServices>;
  const sessionOf = (key: keyof typeof SOURCES) => services.sessions.findByClaudeSessionId(SOURCES[key].claudeSessionId)!.id;

  beforeAll(async () => {
    for (const source of Object.values(SOURCES)) {
      mkdirSync(join(claudeDir.path, "projects", source.project), { recursive: true });
      cpSync(source.file, join(claudeDir.path, "projects", source.project, `${source.claudeSessionId}.jsonl`));
    }
    services = createTestServices({ ILS_CLAUDE_DIR: claudeDir.path });
    await services.sync.scan();
  });
  afterAll(() => {
    services.cleanup();
    claudeDir.cleanup();
  });

  it("JSONL equals the imported file's lines, in order, across pages", async () => {
    const source = readFileSync(SOURCES.long.file, "utf8");
    const lines = source.split("\n").filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThan(2 * EXPORT_PAGE_SIZE);
    const { text, chunks } = await collect(services.exporter.stream(sessionOf("long"), "jsonl"));
    expect(chunks).toBe(Math.ceil(lines.length / EXPORT_PAGE_SIZE));
    expect(text).toBe(lines.map((l) => l + "\n").join(""));
  });

  it("renders a readable Markdown transcript", async () => {
    const { text } = await collect(services.exporter.stream(sessionOf("tools"), "markdown"));
    const prompt = readFileSync(SOURCES.tools.file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((v) => v.type === "user" && typeof v.message?.content === "string").message.content as string;
    expect(text).toMatch(/^# /);
    expect(text).toContain(`## User\n\n${prompt.trim()}\n`);
    expect(text).toContain("## Assistant\n\n");
    for (const tool of ["Bash", "Read", "Write"]) expect(text).toContain(`<details><summary>Tool call: ${tool}</summary>`);
    expect(text).toContain("<details><summary>Tool result</summary>");
    expect(text).toContain("I wrote NOTES.md with a two-line summary of the README.");
    // Every <details> is closed and fences are balanced, so the folds render.
    expect(text.match(/<details>/g)!.length).toBe(text.match(/<\/details>/g)!.length);
    // Headings are not repeated for an answer split over several lines.
    expect(text).not.toMatch(/## Assistant\n\n[^#]*\n## Assistant\n/);
  });

  it("uses a fence longer than any backticks inside a tool result", async () => {
    const session = await services.sessions.create({ name: "fences" });
    const result = "before\n```\ninside\n```\nafter";
    services.ingest.appendMessages(session.id, [
      {
        raw: JSON.stringify({
          type: "user",
          uuid: "a",
          message: { content: [{ type: "tool_result", tool_use_id: "t", content: result }] },
        }),
      },
    ]);
    const { text } = await collect(services.exporter.stream(session.id, "markdown"));
    expect(text).toContain("````\n" + result + "\n````");
  });

  it("refuses an unknown session before streaming anything", () => {
    expect(() => services.exporter.stream("00000000-0000-4000-8000-000000000000", "jsonl")).toThrow(AppError);
  });
});
