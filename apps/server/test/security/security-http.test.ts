import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rawRequest, upgradeStatus } from "../support/raw-http.ts";
import { QUICK_PROMPT, startTarget, type Target } from "./security-support.ts";

/**
 * Issue 12, items 1-3 and 8: every attack request replayed exactly against a real server on 127.0.0.1 (no
 * token, the default install), each followed by the proof that nothing happened: no Session row in the
 * database, no Claude process started. The allowed requests at the end show the same checks can see a run.
 */
let t: Target;
let host: string;
const EVIL = "http://evil.example";
const JSON_TYPE = { "content-type": "application/json" };
const streamBody = JSON.stringify({ prompt: QUICK_PROMPT });

beforeAll(async () => {
  t = await startTarget({ ILS_ALLOWED_ORIGINS: "https://app.example", ILS_ALLOWED_HOSTS: "ils.tailnet.example,tunnel.example:8443" });
  host = `127.0.0.1:${t.server.port}`;
});
afterAll(() => t?.cleanup());

const post = (path: string, headers: Record<string, string>, body: string | Buffer = streamBody) =>
  rawRequest(t.server.url, { method: "POST", path, headers: { host, ...headers }, body });

describe("attacks: refused, and nothing is created or run", () => {
  afterEach(() => {
    expect(t.counts()).toEqual({ sessions: 0, runs: 0 });
  });

  it("POST /chat/stream as a cross-site <form> or no-cors fetch would send it (text/plain, urlencoded; Origin evil.example)", async () => {
    for (const type of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const res = await post("/api/v1/chat/stream", { "content-type": type, origin: EVIL });
      expect(res.status, type).toBe(403);
      expect(JSON.parse(res.text)).toMatchObject({ success: false, error: { code: "FORBIDDEN" } });
      expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    }
    const form = await post(
      "/api/v1/chat/stream",
      { "content-type": "application/x-www-form-urlencoded", origin: EVIL },
      `prompt=${encodeURIComponent(QUICK_PROMPT)}`,
    );
    expect(form.status).toBe(403);
  });

  it("the same bodies without an Origin (no browser sends that, but no form body may start anything): 415", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16", "application/jsonx"]) {
      const res = await post("/api/v1/chat/stream", { "content-type": type });
      expect(res.status, type).toBe(415);
      expect(JSON.parse(res.text)).toMatchObject({ success: false, error: { code: "UNSUPPORTED_MEDIA_TYPE" } });
    }
    expect((await post("/api/v1/chat/stream", {})).status).toBe(415); // no Content-Type at all
    expect((await post("/api/v1/sessions", { "content-type": "text/plain" }, "{}")).status).toBe(415);
  });

  it("Origin: null (sandboxed iframe, file: page) with a JSON body: 403", async () => {
    const res = await post("/api/v1/chat/stream", { ...JSON_TYPE, origin: "null" });
    expect(res.status).toBe(403);
    expect((await post("/api/v1/sessions", { ...JSON_TYPE, origin: "null" }, "{}")).status).toBe(403);
  });

  it("a foreign Origin with a JSON body (after a preflight a browser would not get through): 403, and its preflight gets no CORS headers", async () => {
    expect((await post("/api/v1/chat/stream", { ...JSON_TYPE, origin: EVIL })).status).toBe(403);
    const preflight = await rawRequest(t.server.url, {
      method: "OPTIONS",
      path: "/api/v1/chat/stream",
      headers: { host, origin: EVIL, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    // Another web server on this machine is another origin: a different port is refused too.
    expect((await post("/api/v1/chat/stream", { ...JSON_TYPE, origin: `http://127.0.0.1:${t.server.port + 1}` })).status).toBe(403);
    expect((await post("/api/v1/chat/stream", { ...JSON_TYPE, origin: "http://localhost:3000" })).status).toBe(403);
  });

  it("tRPC over HTTP: a text/plain mutation is 415, a foreign Origin 403 (tRPC's error shape)", async () => {
    const send = JSON.stringify({ projectPath: t.dir.path });
    const plain = await post("/trpc/sessions.create", { "content-type": "text/plain" }, send);
    expect(plain.status).toBe(415);
    expect(JSON.parse(plain.text)).toMatchObject({ error: { data: { code: "UNSUPPORTED_MEDIA_TYPE", httpStatus: 415 } } });
    const form = await post("/trpc/sessions.create", { "content-type": "application/x-www-form-urlencoded" }, send);
    expect(form.status).toBe(415);
    const evil = await post("/trpc/sessions.create", { ...JSON_TYPE, origin: EVIL }, send);
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.text)).toMatchObject({ error: { data: { code: "FORBIDDEN", httpStatus: 403 } } });
    expect((await post("/trpc/sessions.create", { "content-type": "text/plain", origin: "null" }, send)).status).toBe(403);
  });

  it("DNS rebinding (Host: evil.example:9999): 403 on REST, tRPC, /health, /docs and a JSON chat stream", async () => {
    const foreign = { host: "evil.example:9999" };
    for (const path of [
      "/api/v1/sessions",
      "/api/v1/openapi.json",
      `/trpc/sessions.list?input=${encodeURIComponent("{}")}`,
      "/health",
      "/docs",
    ]) {
      const res = await rawRequest(t.server.url, { path, headers: foreign });
      expect(res.status, path).toBe(403);
      expect(res.text).toContain("FORBIDDEN");
    }
    const stream = await rawRequest(t.server.url, {
      method: "POST",
      path: "/api/v1/chat/stream",
      headers: { ...foreign, ...JSON_TYPE },
      body: streamBody,
    });
    expect(stream.status).toBe(403);
    // Also a loopback name on the wrong port, a missing Host, and an allowed name's wrong port.
    for (const bad of [`localhost:${t.server.port + 1}`, "127.0.0.1", "tunnel.example:9443"]) {
      expect((await rawRequest(t.server.url, { path: "/api/v1/sessions", headers: { host: bad } })).status, bad).toBe(403);
    }
  });

  it("WebSocket upgrades from a foreign Origin, Origin null or a foreign Host: 403, no socket", async () => {
    expect(await upgradeStatus(t.server.url, "/", { origin: EVIL })).toEqual({ status: 403, opened: false });
    expect(await upgradeStatus(t.server.url, "/", { origin: "null" })).toEqual({ status: 403, opened: false });
    expect(await upgradeStatus(t.server.url, "/", { host: "evil.example:9999" })).toEqual({ status: 403, opened: false });
    expect(await upgradeStatus(t.server.url, "/trpc", { origin: `http://localhost:${t.server.port + 1}` })).toEqual({
      status: 403,
      opened: false,
    });
  });

  it("invalid UTF-8 in a JSON body is 400 (REST and tRPC), never stored with U+FFFD", async () => {
    const bad = Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const rest = await post("/api/v1/sessions", JSON_TYPE, bad);
    expect(rest.status).toBe(400);
    expect(JSON.parse(rest.text)).toMatchObject({ error: { code: "VALIDATION_ERROR", details: { issues: [{ path: "body" }] } } });
    const trpc = await post("/trpc/sessions.create", JSON_TYPE, bad);
    expect(trpc.status).toBe(400);
    expect(JSON.parse(trpc.text)).toMatchObject({ error: { data: { code: "VALIDATION_ERROR" } } });
    const prompt = Buffer.concat([Buffer.from('{"prompt":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]); // a lone surrogate
    expect((await post("/api/v1/chat/stream", JSON_TYPE, prompt)).status).toBe(400);
  });

  it("NUL bytes in names, prompts and ids are 400", async () => {
    const cases: [string, unknown, string][] = [
      ["/api/v1/sessions", { name: "a\u0000b" }, "body.name"],
      ["/api/v1/sessions", { model: "sonnet\u0000--debug" }, "body.model"],
      ["/api/v1/chat/stream", { prompt: "hi\u0000there" }, "body.prompt"],
      ["/api/v1/chat/stream", { prompt: "hi", sessionId: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F\u0000" }, "body.sessionId"],
    ];
    for (const [path, body, field] of cases) {
      const res = await post(path, JSON_TYPE, JSON.stringify(body));
      expect(res.status, `${path} ${field}`).toBe(400);
      expect(JSON.parse(res.text).error.details.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
    const trpc = await post("/trpc/sessions.create", JSON_TYPE, JSON.stringify({ name: "x\u0000" }));
    expect(trpc.status).toBe(400);
  });

  it("tRPC over HTTP: a 5 MB body is 413 and a batch of 100 calls is 400 (issue 15 item 4); 17 calls are refused, 16 pass", async () => {
    // fetch, not node:http: the server answers before reading the body, and fetch reads that early answer.
    const huge = await fetch(`${t.server.url}/trpc/sessions.create`, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({ name: "x".repeat(5 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } } });
    const batch = (n: number) => {
      const paths = Array.from({ length: n }, () => "sessions.create").join(",");
      const input = Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { name: `s${i}` }]));
      return post(`/trpc/${paths}?batch=1`, JSON_TYPE, JSON.stringify(input));
    };
    expect((await batch(100)).status).toBe(400);
    expect((await batch(17)).status).toBe(400);
    const queries = (n: number) => {
      const paths = Array.from({ length: n }, () => "sessions.list").join(",");
      const input = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, {}]))));
      return rawRequest(t.server.url, { path: `/trpc/${paths}?batch=1&input=${input}`, headers: { host } });
    };
    expect((await queries(17)).status).toBe(400);
    expect((await queries(16)).status).toBe(200);
  });
});

describe("what must keep working", () => {
  it("the iOS app's own chat stream (no Origin, Host 127.0.0.1:port, JSON, UPPER-case ids) runs Claude; DELETE without a body or Content-Type works", async () => {
    const res = await post("/api/v1/chat/stream", { ...JSON_TYPE, accept: "text/event-stream" });
    expect(res.status).toBe(200);
    expect(res.text).toContain('"type":"result"');
    const after = t.counts();
    expect(after.sessions).toBe(1);
    expect(after.runs).toBe(1);
    const list = JSON.parse((await rawRequest(t.server.url, { path: "/api/v1/sessions", headers: { host } })).text) as {
      data: { items: { id: string }[] };
    };
    const id = list.data.items[0]!.id.toUpperCase();
    expect((await rawRequest(t.server.url, { path: `/api/v1/sessions/${id}`, headers: { host, accept: "application/json" } })).status).toBe(
      200,
    );
    expect(
      (await rawRequest(t.server.url, { method: "DELETE", path: `/api/v1/sessions/${id}`, headers: { host, accept: "application/json" } }))
        .status,
    ).toBe(200);
    expect(t.counts().sessions).toBe(0);
  });

  it("the server's own origin (the /docs page) and localhost/[::1] names are served, without CORS headers", async () => {
    for (const origin of [`http://127.0.0.1:${t.server.port}`, `http://localhost:${t.server.port}`]) {
      const res = await post("/api/v1/sessions", { ...JSON_TYPE, origin }, "{}");
      expect(res.status, origin).toBe(200);
      expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    }
    for (const name of [`localhost:${t.server.port}`, `[::1]:${t.server.port}`, `LOCALHOST:${t.server.port}`]) {
      expect((await rawRequest(t.server.url, { path: "/health", headers: { host: name } })).status, name).toBe(200);
    }
    expect(await upgradeStatus(t.server.url, "/", { origin: `http://127.0.0.1:${t.server.port}` })).toEqual({ status: 101, opened: true });
    expect(await upgradeStatus(t.server.url, "/")).toEqual({ status: 101, opened: true }); // native clients send no Origin
  });

  it("ILS_ALLOWED_HOSTS names (with and without a port) and ILS_ALLOWED_ORIGINS origins are served; only a listed origin gets CORS headers", async () => {
    for (const name of ["ils.tailnet.example", `ils.tailnet.example:${t.server.port}`, "ils.tailnet.example:443", "tunnel.example:8443"]) {
      expect((await rawRequest(t.server.url, { path: "/api/v1/sessions", headers: { host: name } })).status, name).toBe(200);
    }
    const preflight = await rawRequest(t.server.url, {
      method: "OPTIONS",
      path: "/api/v1/sessions",
      headers: {
        host,
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(preflight.headers["access-control-allow-headers"]).toContain("content-type");
    const created = await post("/api/v1/sessions", { ...JSON_TYPE, origin: "https://app.example" }, "{}");
    expect(created.status).toBe(200);
    expect(created.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(created.headers.vary).toContain("origin");
    // The tunnel's own https origin is the server's own origin seen through it.
    expect(
      (await post("/api/v1/sessions", { ...JSON_TYPE, host: "ils.tailnet.example", origin: "https://ils.tailnet.example" }, "{}")).status,
    ).toBe(200);
  });

  it("refusals are logged (a warn line naming the reason) without taking the server down", async () => {
    expect(t.server.output()).toContain("request refused");
    expect((await rawRequest(t.server.url, { path: "/health", headers: { host } })).status).toBe(200);
  });
});
