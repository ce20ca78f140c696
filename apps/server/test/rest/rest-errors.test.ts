import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type App } from "../../src/app.ts";
import { loadConfig } from "../../src/config/config.ts";
import { restRoutes } from "../../src/rest/index.ts";
import { chatRoutes } from "../../src/rest/routes/chat.ts";
import { messageRoutes } from "../../src/rest/routes/messages.ts";
import { projectRoutes } from "../../src/rest/routes/projects.ts";
import { sessionRoutes } from "../../src/rest/routes/sessions.ts";
import { statsRoutes } from "../../src/rest/routes/stats.ts";
import { TEST_PROJECT_ROOTS, tempDir } from "../support/temp.ts";

const TOKEN = "rest-token-for-tests";
const UNKNOWN = "E621E1F8-C36C-495A-93FC-0C247A3E6E5F"; // upper case, as the app sends ids

let dir: ReturnType<typeof tempDir>;
let open: App;
let guarded: App;

async function start(env: Record<string, string>): Promise<App> {
  // The databases in a folder of their own: project folders in `dir` must not be in the server's data folder.
  const db = join(dir.path, "data", `${Object.keys(env).length}.db`);
  return startServer(
    loadConfig({ ILS_DB: db, ILS_PORT: "0", ILS_LOG_LEVEL: "silent", ILS_SYNC: "off", ILS_PROJECT_ROOTS: TEST_PROJECT_ROOTS, ...env }),
  );
}

beforeAll(async () => {
  dir = tempDir();
  open = await start({});
  guarded = await start({ ILS_TOKEN: TOKEN });
});
afterAll(async () => {
  await open?.stop();
  await guarded?.stop();
  dir?.cleanup();
});

interface Answer {
  status: number;
  body: { success: boolean; error?: { code: string; message: string; details?: { issues?: { path: string }[] } } };
  text: string;
}

async function call(app: App, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${app.url}/api/v1${path}`, {
    method,
    headers: { accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Answer["body"], text };
}

/** One invalid request per route, naming the field the error must name, and one with an unknown id. */
const CASES: Record<string, { invalid: [string, string, unknown, string]; unknown?: [string, string, unknown?] }> = {
  listSessions: { invalid: ["GET", "/sessions?limit=0", undefined, "query.limit"] },
  listSessionProjects: { invalid: ["GET", "/sessions/projects?", undefined, ""] },
  createSession: {
    invalid: ["POST", "/sessions", { permissionMode: "yolo" }, "body.permissionMode"],
    unknown: ["POST", "/sessions", { projectId: UNKNOWN }],
  },
  getSession: { invalid: ["GET", "/sessions/not-a-uuid", undefined, "params.id"], unknown: ["GET", `/sessions/${UNKNOWN}`] },
  listSubagents: {
    invalid: ["GET", "/sessions/not-a-uuid/subagents", undefined, "params.id"],
    unknown: ["GET", `/sessions/${UNKNOWN}/subagents`],
  },
  renameSession: {
    invalid: ["PUT", `/sessions/${UNKNOWN}`, { name: "" }, "body.name"],
    unknown: ["PUT", `/sessions/${UNKNOWN}`, { name: "x" }],
  },
  deleteSession: { invalid: ["DELETE", "/sessions/1234", undefined, "params.id"], unknown: ["DELETE", `/sessions/${UNKNOWN}`] },
  forkSession: {
    invalid: ["POST", `/sessions/${UNKNOWN}/fork`, { atMessageId: "nope" }, "body.atMessageId"],
    unknown: ["POST", `/sessions/${UNKNOWN}/fork`, {}],
  },
  listMessages: {
    invalid: ["GET", `/sessions/${UNKNOWN}/messages?direction=sideways`, undefined, "query.direction"],
    unknown: ["GET", `/sessions/${UNKNOWN}/messages`],
  },
  getTranscript: {
    invalid: ["GET", `/sessions/transcript/-p/${"x".repeat(201)}`, undefined, "params.claudeSessionId"],
    unknown: ["GET", `/sessions/transcript/-p/${UNKNOWN}`],
  },
  chatStream: {
    invalid: ["POST", "/chat/stream", { sessionId: UNKNOWN }, "body.prompt"],
    unknown: ["POST", "/chat/stream", { prompt: "hi", projectId: UNKNOWN }],
  },
  sessionEvents: {
    invalid: ["GET", `/sessions/${UNKNOWN}/events?after=abc`, undefined, "query.after"],
    unknown: ["GET", `/sessions/${UNKNOWN}/events`],
  },
  cancelChat: { invalid: ["POST", "/chat/cancel/zzz", {}, "params.id"], unknown: ["POST", `/chat/cancel/${UNKNOWN}`, {}] },
  answerPermission: {
    invalid: ["POST", `/chat/permission/${UNKNOWN}/req-1`, { decision: "maybe" }, "body.decision"],
    unknown: ["POST", `/chat/permission/${UNKNOWN}/req-1`, { decision: "allow" }],
  },
  listProjects: { invalid: ["GET", "/projects?offset=-1", undefined, "query.offset"] },
  createProject: { invalid: ["POST", "/projects", { name: "", path: "/tmp" }, "body.name"] },
  getStats: { invalid: ["GET", "/stats", undefined, ""] },
  recentSessions: { invalid: ["GET", "/stats/recent?limit=0", undefined, "query.limit"] },
};

describe("every route rejects invalid input with 400 naming the field, and unknown ids with 404", () => {
  it("has a case for every bridge route (other groups' routes are checked on their id parameter below)", () => {
    const bridge = [...sessionRoutes, ...messageRoutes, ...chatRoutes, ...projectRoutes, ...statsRoutes].map((r) => r.operationId);
    expect(Object.keys(CASES).sort()).toEqual(bridge.sort());
    for (const id of bridge) expect(restRoutes.map((r) => r.operationId)).toContain(id);
  });

  for (const route of restRoutes.filter((r) => !(r.operationId in CASES) && r.path.includes("{id}"))) {
    it(`${route.operationId} (id parameter)`, async () => {
      const bad = await call(open, route.method, route.path.replace("{id}", "not-a-uuid"), route.body ? {} : undefined);
      expect(bad.status, bad.text).toBe(400);
      expect(bad.body.error?.details?.issues?.map((i) => i.path)).toContain("params.id");
    });
  }

  for (const [operationId, { invalid, unknown }] of Object.entries(CASES)) {
    it(operationId, async () => {
      const [method, path, body, field] = invalid;
      if (field === "") {
        // A route without inputs has nothing to get wrong: a stray query string is ignored, not an error.
        const ok = await call(open, method, path, body);
        expect(ok.status, ok.text).toBe(200);
        expect(ok.body.success).toBe(true);
      } else {
        const bad = await call(open, method, path, body);
        expect(bad.status, bad.text).toBe(400);
        expect(bad.body.success).toBe(false);
        expect(bad.body.error?.code).toBe("VALIDATION_ERROR");
        expect(bad.body.error?.message).toContain(field);
        expect(bad.body.error?.details?.issues?.map((i) => i.path)).toContain(field);
      }
      if (unknown) {
        const [m, p, b] = unknown;
        const missing = await call(open, m, p, b);
        expect(missing.status, missing.text).toBe(404);
        expect(missing.body).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
      }
    });
  }
});

describe("transport errors", () => {
  it("malformed JSON is a 400 naming the body; no stack traces anywhere", async () => {
    const res = await call(open, "POST", "/sessions", "{not json");
    expect(res.status).toBe(400);
    expect(res.body.error?.details?.issues?.[0]?.path).toBe("body");
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it("bodies over 1 MB get 413", async () => {
    const res = await call(open, "POST", "/chat/stream", { prompt: "x".repeat(1_100_000) });
    expect(res.status).toBe(413);
    expect(res.body.error?.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("an unknown path is a 404 in the envelope", async () => {
    const res = await call(open, "GET", "/nothing-here");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
  });

  it("a `+` in the query is a literal plus, as the app sends it", async () => {
    const project = join(dir.path, "c++ tools");
    mkdirSync(project);
    expect((await call(open, "POST", "/sessions", { projectPath: project })).status).toBe(200);
    const res = await call(open, "GET", "/sessions?projectName=c++%20tools&limit=5");
    const page = res.body as unknown as { data: { items: { projectName?: string }[] } };
    expect(res.status).toBe(200);
    expect(page.data.items.map((s) => s.projectName)).toEqual(["c++ tools"]);
  });

  it("projectName=Ungrouped lists the sessions without a project (the app's group name for them)", async () => {
    await call(open, "POST", "/sessions", { name: "no project" });
    const groups = (await call(open, "GET", "/sessions/projects")).body as unknown as { data: { name: string; sessionCount: number }[] };
    const ungrouped = groups.data.find((g) => g.name === "Ungrouped");
    expect(ungrouped?.sessionCount).toBeGreaterThan(0);
    const res = await call(open, "GET", "/sessions?projectName=Ungrouped&page=1&limit=50");
    const page = res.body as unknown as { data: { items: { projectName?: string }[]; total: number } };
    expect(page.data.total).toBe(ungrouped?.sessionCount);
    expect(page.data.items.every((s) => s.projectName === undefined)).toBe(true);
  });

  it("ids are matched case-insensitively", async () => {
    const created = (await call(open, "POST", "/sessions", { name: "case" })).body as unknown as { data: { id: string } };
    const upper = await call(open, "GET", `/sessions/${created.data.id.toUpperCase()}`);
    expect(upper.status).toBe(200);
  });
});

describe("with ILS_TOKEN set", () => {
  it("every /api/v1 route answers 401 without the token, including /chat/stream", async () => {
    for (const route of restRoutes) {
      const path = route.path.replace(/\{(\w+)\}/g, UNKNOWN);
      const res = await call(guarded, route.method, path, route.body ? {} : undefined);
      expect(res.status, `${route.method} ${route.path}`).toBe(401);
      expect(res.body.error?.code).toBe("UNAUTHORIZED");
    }
  });

  it("the token opens them; /health and /docs stay open", async () => {
    expect((await call(guarded, "GET", "/sessions", undefined, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await call(guarded, "GET", "/sessions", undefined, { authorization: "Bearer wrong-token-xxxx" })).status).toBe(401);
    expect((await fetch(`${guarded.url}/health`)).status).toBe(200);
    expect((await fetch(`${guarded.url}/docs`)).status).toBe(200);
  });
});
