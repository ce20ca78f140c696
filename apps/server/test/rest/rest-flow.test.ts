import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Ajv2020 } from "ajv/dist/2020.js";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ios from "../support/ios-decoders.ts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { REPO_ROOT, tempDir } from "../support/temp.ts";

/**
 * Acceptance 2 + 3: a client generated from the served OpenAPI document drives a whole flow against a real
 * server process running the stand-in Claude; every answer is checked against the document's own schema
 * AND decoded the way the iOS app decodes it.
 */

const SERVER_DIR = join(REPO_ROOT, "apps", "server");
// Inside the package (so openapi-fetch resolves) and gitignored (test-artifacts/).
const CLIENT_DIR = join(SERVER_DIR, "test-artifacts", `openapi-client-${process.pid}`);
const run = promisify(execFile);

type Answer = { status: number; body: unknown };
type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };

let server: ServerProcess;
let dir: ReturnType<typeof tempDir>;
let doc: Doc;
let flow: Record<string, Answer>;

beforeAll(async () => {
  dir = tempDir();
  const project = join(dir.path, "project");
  mkdirSync(project);
  server = await startServerProcess({
    // The database in a folder of its own: the server never runs Claude Code in its data folder.
    ILS_DB: join(dir.path, "data", "ils.db"),
    ILS_CLAUDE_BIN: join(REPO_ROOT, "tools", "fake-claude", "fake-claude.mjs"),
    FAKE_CLAUDE_SCENARIO: "02-tools",
    FAKE_CLAUDE_DELAY_MS: "1",
  });
  doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as Doc;

  // Generate the client types from the live document, type-check the flow against them, then run it.
  mkdirSync(CLIENT_DIR, { recursive: true });
  writeFileSync(join(CLIENT_DIR, "ils-api.ts"), astToString(await openapiTS(doc as never)));
  copyFileSync(join(SERVER_DIR, "test", "support", "openapi-flow.tpl"), join(CLIENT_DIR, "flow.ts"));
  writeFileSync(
    join(CLIENT_DIR, "tsconfig.json"),
    JSON.stringify({ extends: "../../../../tsconfig.base.json", compilerOptions: { types: ["node"] }, include: ["flow.ts"] }),
  );
  await run(join(REPO_ROOT, "node_modules", ".bin", "tsc"), ["-p", join(CLIENT_DIR, "tsconfig.json")], { cwd: SERVER_DIR }).catch(
    (e: { stdout?: string }) => {
      throw new Error(`the flow does not type-check against the generated client:\n${e.stdout ?? String(e)}`);
    },
  );
  const { runFlow } = (await import(join(CLIENT_DIR, "flow.ts"))) as {
    runFlow: (url: string, project: string) => Promise<Record<string, Answer>>;
  };
  flow = await runFlow(server.url, project);
});

afterAll(async () => {
  await server?.stop();
  dir?.cleanup();
  rmSync(CLIENT_DIR, { recursive: true, force: true });
});

const answer = (name: string) => {
  const a = flow[name];
  if (!a) throw new Error(`no answer ${name}`);
  return a;
};
const data = <T>(name: string) => (answer(name).body as { data: T }).data;
const pages = (prefix: string) =>
  Object.keys(flow)
    .filter((k) => new RegExp(`^${prefix}\\d+$`).test(k))
    .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)));

/** Which operation and status each flow step answered, to look its schema up in the document. */
const STEPS: Record<string, [string, string, number]> = {
  create: ["/sessions", "post", 200],
  list: ["/sessions", "get", 200],
  get: ["/sessions/{id}", "get", 200],
  rename: ["/sessions/{id}", "put", 200],
  messages: ["/sessions/{id}/messages", "get", 200],
  projects: ["/projects", "get", 200],
  groups: ["/sessions/projects", "get", 200],
  stats: ["/stats", "get", 200],
  recent: ["/stats/recent", "get", 200],
  cancel: ["/chat/cancel/{id}", "post", 200],
  // No run asked anything: an unknown request is 404 (answered requests are covered in chat-permissions.test.ts).
  permission: ["/chat/permission/{id}/{requestId}", "post", 404],
  fork: ["/sessions/{id}/fork", "post", 200],
  forkMessages: ["/sessions/{id}/messages", "get", 200],
  delete: ["/sessions/{id}", "delete", 200],
  getAfterDelete: ["/sessions/{id}", "get", 404],
  listAfterDelete: ["/sessions", "get", 200],
};

describe("a whole flow through the generated client", () => {
  it("every answer has the status and the shape the document declares", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: "doc", ...doc } as object);
    const steps = { ...STEPS, ...Object.fromEntries([...pages("offset"), ...pages("cursor")].map((k) => [k, STEPS.messages!])) };
    for (const [name, [path, method, status]] of Object.entries(steps)) {
      const a = answer(name);
      expect(a.status, `${name}: ${JSON.stringify(a.body)}`).toBe(status);
      const schema = doc.paths[path]?.[method]?.responses[String(status)]?.content?.["application/json"]?.schema as Record<string, unknown>;
      expect(schema, `${name}: no schema in the document`).toBeDefined();
      // $refs point into the document (#/components/...): resolve them against it.
      const ok = ajv.validate(JSON.parse(JSON.stringify(schema).replaceAll('"#/', '"doc#/')) as object, a.body);
      expect(ok, `${name}: ${ajv.errorsText()}`).toBe(true);
    }
  });

  it("every answer decodes with the app's decoders", () => {
    ios.envelope(ios.chatSession)(answer("create").body, "create");
    ios.envelope(ios.sessionPage)(answer("list").body, "list");
    ios.envelope(ios.chatSession)(answer("get").body, "get");
    ios.envelope(ios.chatSession)(answer("rename").body, "rename");
    ios.envelope(ios.messageList)(answer("messages").body, "messages");
    for (const k of [...pages("offset"), ...pages("cursor")]) ios.envelope(ios.messageList)(answer(k).body, k);
    ios.envelope(ios.projectList)(answer("projects").body, "projects");
    ios.envelope(ios.projectGroups)(answer("groups").body, "groups");
    ios.envelope(ios.stats)(answer("stats").body, "stats");
    ios.envelope(ios.sessionList)(answer("recent").body, "recent");
    ios.envelope(ios.deleted)(answer("cancel").body, "cancel");
    ios.envelope(ios.chatSession)(answer("fork").body, "fork");
    ios.envelope(ios.messageList)(answer("forkMessages").body, "forkMessages");
    // The app decodes a delete answer both as DeletedResponse and as APIResponse<String>: only an absent (null)
    // `data` satisfies both, and either payload would break the other decoder.
    expect(answer("delete").body).toEqual({ success: true, data: null });
    ios.envelope(ios.deleted)(answer("delete").body, "delete (SVM: DeletedResponse)");
    ios.envelope(ios.string)(answer("delete").body, "delete (ChatView: APIResponse<String>)");
    expect(() => ios.envelope(ios.string)({ success: true, data: { deleted: true } }, "delete as String")).toThrow();
    expect(() => ios.envelope(ios.deleted)({ success: true, data: "deleted" }, "delete as DeletedResponse")).toThrow();
    ios.envelope(ios.sessionPage)(answer("listAfterDelete").body, "listAfterDelete");
  });

  it("streams the run as SSE the app decodes, ending when the run ends", () => {
    const stream = answer("stream");
    expect(stream.status).toBe(200);
    const events = ios.decodeAppStream(stream.body as string);
    const types = events.map((e) => e.type);
    expect(types).toContain("system");
    expect(types).toContain("assistant");
    expect(types.at(-1)).toBe("result");
    const toolUses = events
      .flatMap((e) => (e.type === "assistant" ? (e.content as { type: string }[]) : []))
      .filter((b) => b.type === "toolUse");
    expect(toolUses.length).toBe(3); // Bash, Read, Write in 02-tools
    // Every stored message the app can show came with its seq as the SSE id.
    const ids = ios.parseAppSse(stream.body as string).events.flatMap((e) => (e.id ? [Number(e.id)] : []));
    expect(new Set(ids).size).toBe(events.length);
  });

  it("the whole history equals the offset pages and the cursor pages, oldest first", () => {
    const all = data<{ items: { id: string; seq: number }[]; total: number }>("messages");
    expect(all.items.length).toBe(all.total);
    expect(all.items.length).toBeGreaterThan(4); // what a person reads of the run (docs/presentation.md)
    expect(all.items.map((m) => m.seq)).toEqual([...all.items.map((m) => m.seq)].sort((a, b) => a - b));
    const byOffset = pages("offset").flatMap((k) => data<{ items: { id: string }[] }>(k).items.map((m) => m.id));
    const byCursor = pages("cursor").flatMap((k) => data<{ items: { id: string }[] }>(k).items.map((m) => m.id));
    expect(pages("offset").length).toBeGreaterThan(2);
    expect(pages("cursor").length).toBeGreaterThan(2);
    expect(byOffset).toEqual(all.items.map((m) => m.id));
    expect(byCursor).toEqual(all.items.map((m) => m.id));
  });

  it("fork is a complete new session with the history; delete removes the original only", () => {
    const original = data<{ id: string }>("create");
    const fork = data<{ id: string; forkedFrom?: string }>("fork");
    expect(fork.id).not.toBe(original.id);
    expect(fork.forkedFrom).toBe(original.id);
    expect(data<{ items: unknown[] }>("forkMessages").items.length).toBe(data<{ items: unknown[] }>("messages").items.length);
    expect(answer("delete").body).toEqual({ success: true, data: null });
    expect(answer("getAfterDelete").body).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    expect(data<{ items: { id: string }[] }>("listAfterDelete").items.map((s) => s.id)).toEqual([fork.id]);
    expect(data<{ name?: string }>("rename").name).toBe("renamed");
  });
});
