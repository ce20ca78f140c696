import { cpSync } from "node:fs";
import { join } from "node:path";
import type { Page, Session } from "@ils/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ios from "../support/ios-decoders.ts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { FIXTURES, tempDir } from "../support/temp.ts";
import { trpcQuery } from "../support/trpc-http.ts";

// Acceptance 2 and 3 of issue 14: a hand-written fixture per title rule and a hand-computed cost
// (fixtures/presentation/README.md), imported by the real sync, read over REST (as the app) and tRPC.
type Row = { id: string; name?: string; firstPrompt?: string; totalCostUSD?: number; claudeSessionId?: string };

let server: ServerProcess;
const dir = tempDir("ils-titles-");
let rest: Row[];
let restAll: Row[];
let trpc: Session[];

const api = (path: string) => `${server.url}/api/v1${path}`;
async function restList(query: string): Promise<Row[]> {
  const body = await (await fetch(api(`/sessions?limit=200${query}`))).json();
  ios.envelope(ios.sessionPage)(body, "$");
  return (body as { data: { items: Row[] } }).data.items;
}
const byClaude = <T extends { claudeSessionId?: string | null }>(rows: T[], id: string) => rows.find((r) => r.claudeSessionId === id);

beforeAll(async () => {
  const claudeDir = join(dir.path, "claude");
  cpSync(join(FIXTURES, "presentation", "projects"), join(claudeDir, "projects"), { recursive: true });
  server = await startServerProcess({ ILS_DB: join(dir.path, "ils.db"), ILS_CLAUDE_DIR: claudeDir });
  expect((await fetch(api("/sessions/scan"), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(
    200,
  );
  rest = await restList("");
  restAll = await restList("&include=all");
  trpc = (await trpcQuery<Page<Session>>(server.url, "sessions.list", { limit: 200 })).data!.items;
}, 60_000);
afterAll(async () => {
  await server?.stop();
  dir.cleanup();
});

describe("titles, one fixture per rule (REST name = tRPC title)", () => {
  const cases: [string, string, string][] = [
    ["latest custom-title wins over ai-title and summary", "11111111-1111-4111-8111-111111111111", "Release build"],
    ["latest ai-title wins over a summary and the first prompt", "22222222-2222-4222-8222-222222222222", "Fix CI timezone test"],
    ["a summary of another session never names this one: first prompt", "33333333-3333-4333-8333-333333333333", "Refactor the parser"],
    ["a summary whose leafUuid is in this session names it", "33333333-3333-4333-8333-444444444444", "Lexer added to the parser"],
    ["IDE context and meta caveats before the prompt are stripped", "44444444-4444-4444-8444-444444444444", "Rename x to count"],
  ];
  for (const [rule, claudeId, title] of cases) {
    it(rule, () => {
      expect(byClaude(rest, claudeId)?.name).toBe(title);
      expect(byClaude(trpc, claudeId)?.title).toBe(title);
    });
  }

  it("firstPrompt previews are stripped like titles", () => {
    expect(byClaude(rest, "44444444-4444-4444-8444-444444444444")?.firstPrompt).toBe("Rename x to count");
    expect(byClaude(trpc, "44444444-4444-4444-8444-444444444444")?.firstPrompt).toBe("Rename x to count");
  });

  it("a file with nothing to title it by is 'Untitled', and not a conversation (listed only with include=all)", async () => {
    const id = "55555555-5555-4555-8555-555555555555";
    expect(byClaude(rest, id)).toBeUndefined();
    expect(byClaude(trpc, id)).toBeUndefined();
    expect(byClaude(restAll, id)?.name).toBe("Untitled");
    const all = (await trpcQuery<Page<Session>>(server.url, "sessions.list", { limit: 200, include: "all" })).data!.items;
    expect(byClaude(all, id)?.title).toBe("Untitled");
    expect(rest.length).toBe(trpc.length);
    expect(restAll.length).toBe(all.length);
  });

  it("the answer's ANSI codes are stripped in its bubble", async () => {
    const row = byClaude(rest, "44444444-4444-4444-8444-444444444444")!;
    const body = (await (await fetch(api(`/sessions/${row.id}/messages`))).json()) as {
      data: { items: { role: string; content: string }[] };
    };
    expect(body.data.items.map((m) => [m.role, m.content])).toEqual([
      ["user", "Rename x to count"],
      ["assistant", "Renamed."],
    ]);
  });
});

describe("cost of an imported session, from tokens and the price table", () => {
  it("equals the hand-computed figure; an unknown model counts 0 and is flagged", () => {
    // claude-sonnet-4-5-20250929 in fixtures/presentation (LiteLLM prices per token): input 3e-6, output 1.5e-5,
    // cache read 3e-7, cache write 3.75e-6, 1-hour cache write 6e-6.
    // msg_c1 (two lines, usage counted once: the last): 1000*3e-6 + 500*1.5e-5 + 20000*3e-7 + 3000*3.75e-6 = 0.02775
    // msg_c2: 10*3e-6 + 200*1.5e-5 + 25000*3e-7 + 4000*6e-6 (all 1-hour writes) = 0.03453
    // msg_c3: claude-unknown-9, not in the table: 0 and flagged.
    const expected = 0.02775 + 0.03453;
    const id = "66666666-6666-4666-8666-666666666666";
    expect(byClaude(rest, id)?.totalCostUSD).toBeCloseTo(expected, 10);
    const session = byClaude(trpc, id)!;
    expect(session.totalCostUsd).toBeCloseTo(expected, 10);
    expect(session.costEstimated).toBe(true);
    expect(session.unpricedModels).toEqual(["claude-unknown-9"]);
    expect(session.usage).toEqual({ inputTokens: 2009, outputTokens: 1699, cacheReadInputTokens: 45000, cacheCreationInputTokens: 7000 });
  });
});
