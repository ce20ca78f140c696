import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTestServices } from "../support/in-process.ts";
import { tempDir } from "../support/temp.ts";

const line = (v: Record<string, unknown>) => `${JSON.stringify(v)}\n`;
const assistant = (id: string, output: number) =>
  line({
    type: "assistant",
    uuid: randomUUID(),
    timestamp: "2026-03-01T10:00:05Z",
    message: { id, model: "claude-y", usage: { input_tokens: 3, output_tokens: output } },
  });

describe("sync: session metadata over incremental reads", () => {
  const dir = tempDir("ils-sync-meta-");
  const services = createTestServices({ ILS_CLAUDE_DIR: join(dir.path, "claude") });
  afterAll(() => {
    services.cleanup();
    dir.cleanup();
  });

  // Titles follow docs/presentation.md (updated with it): sync records the title sources, the rule picks one.
  it("titles by own summary, then custom title; keeps a user's rename; recounts split-message usage", async () => {
    const sid = randomUUID();
    const project = join(dir.path, "claude", "projects", "-p");
    mkdirSync(project, { recursive: true });
    const file = join(project, `${sid}.jsonl`);
    writeFileSync(
      file,
      line({ type: "user", uuid: "u1", cwd: "/p", timestamp: "2026-03-01T10:00:00Z", message: { role: "user", content: "first prompt" } }) +
        line({
          type: "assistant",
          uuid: "u2",
          timestamp: "2026-03-01T10:00:01Z",
          message: { id: "m1", model: "claude-y", usage: { input_tokens: 3, output_tokens: 1 } },
        }) +
        line({ type: "summary", summary: "Own summary", leafUuid: "u2" }) +
        line({ type: "summary", summary: "Someone else's summary", leafUuid: "elsewhere" }),
    );
    await services.sync.scan();
    const id = services.sessions.findByClaudeSessionId(sid)!.id;
    const row = async () => ({ ...services.sessions.getRow(id), title: (await services.sessions.get(id)).title });
    expect(await row()).toMatchObject({
      title: "Own summary",
      outputTokens: 1,
      inputTokens: 3,
      projectName: "p",
      lastActiveAt: "2026-03-01T10:00:01.000Z",
    });

    // The rest of message m1 arrives later with the final usage: replaced, not added.
    appendFileSync(file, assistant("m1", 9) + line({ type: "custom-title", customTitle: "Custom", sessionId: sid }));
    await services.sync.scan();
    expect(await row()).toMatchObject({ title: "Custom", outputTokens: 9, inputTokens: 3, lastActiveAt: "2026-03-01T10:00:05.000Z" });

    await services.sessions.rename(id, "Mine");
    appendFileSync(file, assistant("m2", 4));
    await services.sync.scan();
    expect(await row()).toMatchObject({ title: "Mine", outputTokens: 13, inputTokens: 6 });
  });
});
