import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Project, Session } from "@ils/contracts";
import { ConfigError, loadConfig } from "../../src/config/config.ts";
import { projectIdFor } from "../../src/projects/project-id.ts";
import { argvLog, FAKE_CLAUDE } from "../chat/chat-support.ts";
import { createTestServices } from "../support/in-process.ts";
import { project as iosProject, projectList as iosProjectList } from "../support/ios-decoders.ts";
import { runServerToExit, startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { FIXTURES, tempDir } from "../support/temp.ts";
import { trpcMutation, trpcQuery } from "../support/trpc-http.ts";

// Layout: <base>/home is HOME and the only project root; the database lives in <base>/data (outside it).
const base = tempDir("ils-roots-");
const home = join(base.path, "home");
const project = join(home, "project");
const registered = join(home, "registered");
const dbPath = join(base.path, "data", "ils.db");
const claudeDir = join(base.path, "claude");
const argvFile = join(base.path, "argv.jsonl");
const IMPORTED_SID = "c278289d-b3a8-42bf-9ac2-43b544bebace";
let server: ServerProcess;

/** The fields of an answer's `data` the checks read. */
interface AnswerData {
  id: string;
  projectId: string;
  items: { id: string; path: string }[];
  [key: string]: unknown;
}

interface Answer {
  status: number;
  body: {
    success: boolean;
    data: AnswerData;
    error?: { code: string; message: string; details?: { issues?: { path: string; message: string }[] } };
  };
}

async function rest(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  // An SSE answer is not JSON: only its status matters to the callers that get one.
  return { status: res.status, body: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : { success: true, data: text } };
}

/** Reads the server's database directly: a refused request must leave no row behind. */
function count(sql: string): number {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}
const ilsSessions = () => count(`SELECT count(*) FROM Session WHERE source = 'ils'`);

beforeAll(async () => {
  mkdirSync(project, { recursive: true });
  mkdirSync(registered);
  mkdirSync(join(base.path, "home2")); // a sibling whose name starts with the root's
  writeFileSync(join(home, "file.txt"), "not a folder");
  symlinkSync("/etc", join(home, "etc-link")); // inside the root, pointing out of it
  symlinkSync(project, join(home, "alias")); // inside the root, pointing inside it
  // An imported Claude Code session that ran in /etc: the real 01-simple transcript with its cwd changed.
  const transcript = readFileSync(
    join(FIXTURES, "generated", "01-simple", "transcripts", "-home-user-project-simple", `${IMPORTED_SID}.jsonl`),
    "utf8",
  );
  mkdirSync(join(claudeDir, "projects", "-etc"), { recursive: true });
  writeFileSync(join(claudeDir, "projects", "-etc", `${IMPORTED_SID}.jsonl`), transcript.replaceAll("/home/user/project-simple", "/etc"));
  server = await startServerProcess({
    HOME: home,
    ILS_PROJECT_ROOTS: home,
    ILS_DB: dbPath,
    ILS_CLAUDE_DIR: claudeDir,
    ILS_CLAUDE_BIN: FAKE_CLAUDE,
    FAKE_CLAUDE_SCENARIO: "01-simple",
    FAKE_CLAUDE_ARGV_LOG: argvFile,
  });
  const scan = await rest("POST", "/sessions/scan", {});
  expect(scan.status).toBe(200);
});
afterAll(async () => {
  await server?.stop();
  base.cleanup();
});

/** Every way to name a directory Claude Code must not run in, and what the answer says. */
const REFUSED: [string, () => string, RegExp][] = [
  ["the file system root", () => "/", /outside the project roots .*ILS_PROJECT_ROOTS/],
  ["/etc", () => "/etc", /outside the project roots/],
  ["a symlink inside the root pointing into /etc", () => join(home, "etc-link"), /\(\/etc\) is outside the project roots/],
  ["~/../.. (HOME/../..)", () => "~/../..", /outside the project roots/],
  ["HOME/../.. written out", () => `${home}/../..`, /outside the project roots/],
  ["a sibling folder whose name starts with the root's", () => join(base.path, "home2"), /outside the project roots/],
  ["a file", () => join(home, "file.txt"), /is not a directory/],
  ["a path through a file", () => join(home, "file.txt", "x"), /is not a directory/],
  ["a missing folder", () => join(home, "missing"), /does not exist/],
  ["a path with NUL", () => `${project}\0/x`, /must not contain NUL characters/],
  ["a relative path", () => "project", /is not an absolute path/],
];

describe("projectPath outside the roots, missing, a file or with NUL: 400 at creation, and no session row", () => {
  for (const [label, path, message] of REFUSED) {
    it(`${label}: REST POST /sessions and tRPC sessions.create`, async () => {
      const before = ilsSessions();
      const viaRest = await rest("POST", "/sessions", { name: "attack", projectPath: path() });
      expect(viaRest.status).toBe(400);
      expect(viaRest.body.error?.code).toBe("VALIDATION_ERROR");
      expect(viaRest.body.error?.details?.issues?.[0]?.path).toBe("projectPath");
      expect(viaRest.body.error?.message).toMatch(message);

      const viaTrpc = await trpcMutation<Session>(server.url, "sessions.create", { name: "attack", projectPath: path() });
      expect(viaTrpc.status).toBe(400);
      expect(viaTrpc.error?.data.code).toBe("VALIDATION_ERROR");
      expect(viaTrpc.error?.data.details).toMatchObject({ issues: [{ path: "projectPath" }] });
      expect(viaTrpc.error?.message).toMatch(message);

      expect(ilsSessions()).toBe(before);
    });
  }
});

describe("a directory under a root", () => {
  it("is accepted and stored as its real path (symlink and ~ resolved)", async () => {
    const viaRest = await rest("POST", "/sessions", { projectPath: join(home, "alias") });
    expect(viaRest.status).toBe(200);
    const row = count(
      `SELECT count(*) FROM Session WHERE id = '${viaRest.body.data.id.toLowerCase()}' AND projectPath = '${realpathSync(project)}'`,
    );
    expect(row).toBe(1);
    expect(viaRest.body.data.projectId).toBe(projectIdFor(realpathSync(project)));

    const viaTrpc = await trpcMutation<Session>(server.url, "sessions.create", { projectPath: "~/project" });
    expect(viaTrpc.status).toBe(200);
    expect(viaTrpc.data?.projectPath).toBe(realpathSync(project));
    expect(viaTrpc.data?.projectName).toBe("project");
  });
});

describe("POST /projects registers a directory under the roots", () => {
  let registeredId = "";

  it("registers it (the app decodes the answer), lists it with GET /projects, and refuses one outside", async () => {
    const created = await rest("POST", "/projects", {
      name: "Registered",
      path: "~/registered",
      description: "a repo with no session yet",
    });
    expect(created.status).toBe(200);
    iosProject(created.body.data, "data");
    expect(created.body.data).toMatchObject({
      name: "Registered",
      path: realpathSync(registered),
      description: "a repo with no session yet",
      sessionCount: 0,
    });
    registeredId = created.body.data.id;

    // The app resends a POST after a timeout: the same path again updates the entry.
    const again = await rest("POST", "/projects", { name: "Renamed", path: registered, defaultModel: "opus" });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ id: registeredId, name: "Renamed", defaultModel: "opus" });
    expect(count(`SELECT count(*) FROM Project`)).toBe(1);

    for (const path of ["/etc", join(home, "etc-link"), join(home, "missing"), "~/../.."]) {
      const refused = await rest("POST", "/projects", { name: "evil", path });
      expect(refused.status).toBe(400);
      expect(refused.body.error?.details?.issues?.[0]?.path).toBe("path");
    }
    expect(count(`SELECT count(*) FROM Project`)).toBe(1);

    const list = await rest("GET", "/projects?limit=50&offset=0");
    expect(list.status).toBe(200);
    iosProjectList(list.body.data, "data");
    const paths = list.body.data.items.map((p: { path: string }) => p.path);
    expect(paths).toContain(realpathSync(registered));
    // Derived ones too (the imported session's /etc, the sessions made above), one entry per path.
    expect(paths).toContain("/etc");
    expect(paths).toContain(realpathSync(project));
    expect(new Set(paths).size).toBe(paths.length);
  });

  it("tRPC projects.create / projects.list do the same", async () => {
    const other = join(home, "other");
    mkdirSync(other);
    const created = await trpcMutation<Project>(server.url, "projects.create", { name: "Other", path: other });
    expect(created.status).toBe(200);
    expect(created.data).toMatchObject({ path: realpathSync(other), registered: true, sessionCount: 0, defaultModel: null });
    const refused = await trpcMutation<Project>(server.url, "projects.create", { name: "Root", path: "/" });
    expect(refused.status).toBe(400);
    expect(refused.error?.data.details).toMatchObject({ issues: [{ path: "path" }] });
    const list = await trpcQuery<Project[]>(server.url, "projects.list", undefined);
    expect(
      list.data
        ?.filter((p) => p.registered)
        .map((p) => p.name)
        .sort(),
    ).toEqual(["Other", "Renamed"]);
    expect(list.data?.find((p) => p.path === "/etc")).toMatchObject({ registered: false, sessionCount: 1 });
  });

  it("its projectId (upper case, as the app sends it) creates a session and starts a chat in that directory", async () => {
    const id = registeredId.toUpperCase();
    const session = await rest("POST", "/sessions", { projectId: id, name: "from the phone" });
    expect(session.status).toBe(200);
    expect(
      count(
        `SELECT count(*) FROM Session WHERE id = '${session.body.data.id.toLowerCase()}' AND projectPath = '${realpathSync(registered)}'`,
      ),
    ).toBe(1);

    const viaTrpc = await trpcMutation<Session>(server.url, "sessions.create", { projectId: id });
    expect(viaTrpc.data?.projectPath).toBe(realpathSync(registered));

    const sessionId = randomUUID().toUpperCase();
    const runs = argvLog(argvFile).length;
    const chat = await rest("POST", "/chat/stream", { prompt: "hello", sessionId, projectId: id });
    expect(chat.status).toBe(200);
    expect(String(chat.body.data)).toContain('"type":"result"');
    expect(argvLog(argvFile)).toHaveLength(runs + 1);
    expect(argvLog(argvFile).at(-1)!.cwd).toBe(realpathSync(registered));
    expect(
      count(`SELECT count(*) FROM Session WHERE id = '${sessionId.toLowerCase()}' AND projectPath = '${realpathSync(registered)}'`),
    ).toBe(1);
  });

  it("a derived project outside the roots (an imported session's /etc) cannot start a session", async () => {
    const before = ilsSessions();
    const refused = await rest("POST", "/sessions", { projectId: projectIdFor("/etc").toUpperCase() });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.details?.issues?.[0]?.path).toBe("projectId");
    expect(refused.body.error?.message).toMatch(/ILS_PROJECT_ROOTS/);
    const onTheFly = await rest("POST", "/chat/stream", { prompt: "hi", sessionId: randomUUID(), projectId: projectIdFor("/etc") });
    expect(onTheFly.status).toBe(400);
    expect(ilsSessions()).toBe(before);
  });
});

describe("an imported session whose cwd is outside the roots", () => {
  const imported = () => {
    const db = new BetterSqlite3(dbPath, { readonly: true });
    try {
      return db.prepare(`SELECT id, messageCount FROM Session WHERE claudeSessionId = ?`).get(IMPORTED_SID) as {
        id: string;
        messageCount: number;
      };
    } finally {
      db.close();
    }
  };

  it("is listed and readable", async () => {
    const { id, messageCount } = imported();
    expect(messageCount).toBeGreaterThan(0);
    expect((await rest("GET", `/sessions/${id}`)).status).toBe(200);
    const messages = await rest("GET", `/sessions/${id}/messages`);
    expect(messages.status).toBe(200);
    expect(messages.body.data.items.length).toBeGreaterThan(0);
    const list = await rest("GET", "/sessions?source=external&limit=50");
    expect(list.body.data.items.map((s: { id: string }) => s.id.toLowerCase())).toContain(id);
  });

  it("refuses chat (REST and tRPC) and fork with 400 naming the roots setting; no process starts, nothing is stored", async () => {
    const { id, messageCount } = imported();
    const runs = argvLog(argvFile).length;
    const sessions = count(`SELECT count(*) FROM Session`);

    const viaRest = await rest("POST", "/chat/stream", { prompt: "rm -rf", sessionId: id.toUpperCase() });
    expect(viaRest.status).toBe(400);
    expect(viaRest.body.error?.details?.issues?.[0]?.path).toBe("projectPath");
    expect(viaRest.body.error?.message).toMatch(/\/etc is outside the project roots .*ILS_PROJECT_ROOTS/);

    const viaTrpc = await trpcMutation(server.url, "chat.send", { sessionId: id, prompt: "rm -rf" });
    expect(viaTrpc.status).toBe(400);
    expect(viaTrpc.error?.message).toMatch(/ILS_PROJECT_ROOTS/);

    const fork = await rest("POST", `/sessions/${id}/fork`, {});
    expect(fork.status).toBe(400);
    expect(fork.body.error?.message).toMatch(/ILS_PROJECT_ROOTS/);

    expect(argvLog(argvFile)).toHaveLength(runs);
    expect(imported().messageCount).toBe(messageCount);
    expect(count(`SELECT count(*) FROM Session`)).toBe(sessions);
  });
});

describe("configuration", () => {
  const env = (more: Record<string, string>) => ({ ILS_DB: dbPath, ILS_LOG_LEVEL: "silent", ...more });

  it("resolves each root to its real path; the path delimiter and commas both separate roots", () => {
    const other = join(base.path, "home2");
    expect(loadConfig(env({ ILS_PROJECT_ROOTS: `${join(home, "alias")},${other}` })).projectRoots).toEqual([realpathSync(project), other]);
    expect(loadConfig(env({ ILS_PROJECT_ROOTS: [home, other].join(delimiter) })).projectRoots).toEqual([home, other]);
  });

  it("defaults ILS_DEFAULT_PROJECT_DIR to home when home is under a root, else to the first root", () => {
    expect(loadConfig(env({ ILS_PROJECT_ROOTS: project })).defaultProjectDir).toBe(project);
  });

  it("names the variable when a root or the default directory fails the check", () => {
    expect(() => loadConfig(env({ ILS_PROJECT_ROOTS: join(home, "missing") }))).toThrow(ConfigError);
    expect(() => loadConfig(env({ ILS_PROJECT_ROOTS: join(home, "missing") }))).toThrow(/ILS_PROJECT_ROOTS: .*missing does not exist/);
    expect(() => loadConfig(env({ ILS_PROJECT_ROOTS: home, ILS_DEFAULT_PROJECT_DIR: "/etc" }))).toThrow(
      /ILS_DEFAULT_PROJECT_DIR: \/etc is outside the project roots/,
    );
    expect(() => loadConfig(env({ ILS_PROJECT_ROOTS: home, ILS_DEFAULT_PROJECT_DIR: join(home, "etc-link") }))).toThrow(
      /ILS_DEFAULT_PROJECT_DIR: .*outside/,
    );
    // The data folder (the folder of ILS_DB) can never be a root.
    expect(() => loadConfig(env({ ILS_PROJECT_ROOTS: join(base.path, "data") }))).toThrow(/ILS_PROJECT_ROOTS: .*data folder/);
  });

  it("a server whose ILS_DEFAULT_PROJECT_DIR is outside the roots does not start, and says which variable", async () => {
    const run = await runServerToExit({
      ILS_DB: join(base.path, "data", "other.db"),
      ILS_PROJECT_ROOTS: home,
      ILS_DEFAULT_PROJECT_DIR: "/etc",
    });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("ILS_DEFAULT_PROJECT_DIR");
  });
});

describe("the server's data folder inside a root", () => {
  it("is excluded with everything under it, while the rest of the root works", async () => {
    const rootDir = tempDir("ils-roots-data-");
    const data = join(rootDir.path, "data");
    mkdirSync(join(data, "sub"), { recursive: true });
    mkdirSync(join(rootDir.path, "work"));
    const services = createTestServices({ ILS_PROJECT_ROOTS: rootDir.path, ILS_DB: join(data, "ils.db") });
    try {
      for (const path of [data, join(data, "sub"), join(data, "..", "data")]) {
        await expect(services.sessions.create({ projectPath: path })).rejects.toThrow(/in the server's data folder/);
        await expect(services.projects.create({ name: "db", path })).rejects.toThrow(/in the server's data folder/);
      }
      expect((await services.sessions.list({})).total).toBe(0);
      expect((await services.sessions.create({ projectPath: join(rootDir.path, "work") })).projectPath).toBe(
        join(realpathSync(rootDir.path), "work"),
      );
    } finally {
      services.cleanup();
      rootDir.cleanup();
    }
  });
});
