import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { FIXTURES, tempDir } from "../support/temp.ts";

const PROJECT = "-home-user-project-tools";
const FILE = "2d003217-3f56-4841-a730-bf4aeda8fca6.jsonl";
let server: ServerProcess;
let dir: ReturnType<typeof tempDir>;

beforeAll(async () => {
  dir = tempDir();
  const projects = join(dir.path, "claude", "projects");
  mkdirSync(projects, { recursive: true });
  cpSync(join(FIXTURES, "generated", "02-tools", "transcripts", PROJECT), join(projects, PROJECT), { recursive: true });
  server = await startServerProcess({ ILS_DB: join(dir.path, "ils.db"), ILS_CLAUDE_DIR: join(dir.path, "claude"), ILS_SYNC: "off" });
});
afterAll(async () => {
  await server?.stop();
  dir?.cleanup();
});

describe("POST /api/v1/sessions/scan", () => {
  it("imports the transcripts on disk and reports it; a second pass reads nothing", async () => {
    const lines = readFileSync(join(FIXTURES, "generated", "02-tools", "transcripts", PROJECT, FILE), "utf8")
      .split("\n")
      .filter(Boolean);
    const first = await fetch(`${server.url}/api/v1/sessions/scan`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(first.status).toBe(200);
    const report = (await first.json()) as {
      success: boolean;
      data: { imported: number; malformed: { count: number }; sessionsCreated: number };
    };
    expect(report.success).toBe(true);
    expect(report.data).toMatchObject({ imported: lines.length, sessionsCreated: 1, malformed: { count: 0 } });

    const again = (await (
      await fetch(`${server.url}/api/v1/sessions/scan`, { method: "POST", headers: { "content-type": "application/json" } })
    ).json()) as { data: { bytesRead: number; imported: number } };
    expect(again.data).toMatchObject({ bytesRead: 0, imported: 0 });

    const list = (await (await fetch(`${server.url}/api/v1/sessions`)).json()) as {
      data: { items: { source: string; messageCount: number; claudeSessionId: string }[] };
    };
    expect(list.data.items).toEqual([
      expect.objectContaining({ source: "external", messageCount: lines.length, claudeSessionId: FILE.replace(".jsonl", "") }),
    ]);
  });
});
