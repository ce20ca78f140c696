import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "../../../apps/server/test/support/server-process.ts";
import { REPO_ROOT, tempDir } from "../../../apps/server/test/support/temp.ts";

const FAKE_CLAUDE = join(REPO_ROOT, "tools", "fake-claude", "fake-claude.mjs");
const TOKEN = "package-test-token-0123456789";
// A project outside the repository: nothing there can resolve the workspace's node_modules.
const dir = tempDir("ils-client-package-");
const project = join(dir.path, "consumer");
let server: ServerProcess;

beforeAll(async () => {
  const packed = join(dir.path, "pack");
  // `pnpm pack` builds dist/ first (prepack) and applies publishConfig's exports.
  execFileSync("npx", ["--yes", "pnpm@10.34.8", "pack", "--pack-destination", packed], {
    cwd: join(REPO_ROOT, "packages", "client"),
    stdio: "pipe",
  });
  const tarball = join(
    packed,
    readdirSync(packed).find((name) => name.endsWith(".tgz"))!,
  );
  execFileSync("mkdir", ["-p", project]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  // The tarball's dependencies come from the registry (npm's cache first); the typechecker is the repo's own.
  execFileSync("npm", ["install", tarball, "--no-audit", "--no-fund", "--prefer-offline"], { cwd: project, stdio: "pipe" });
  server = await startServerProcess({ ILS_DB: join(dir.path, "ils.db"), ILS_CLAUDE_BIN: FAKE_CLAUDE, ILS_TOKEN: TOKEN });
}, 10 * 60_000);
afterAll(async () => {
  await server?.stop();
  dir.cleanup();
});

describe("@ils/client packed and installed outside the repository", () => {
  it("runs in a plain-node ESM script: creates a session, sends a prompt, follows its events to the end of the run, reads the history", () => {
    writeFileSync(
      join(project, "script.mjs"),
      `import { createIlsClient } from "@ils/client";
const ils = createIlsClient({ url: process.env.ILS_URL, token: process.env.ILS_TOKEN });
const session = await ils.trpc.sessions.create.mutate({ name: "from a package" });
const seqs = [];
let end;
const controller = new AbortController();
const following = (async () => {
  for await (const event of ils.events(session.id, { signal: controller.signal })) {
    if (event.kind === "message") seqs.push(event.message.seq);
    if (event.kind === "run" && event.state !== "started") { end = event.state; controller.abort(); }
  }
})();
await ils.send(session.id, "Say hello");
await following;
const history = [];
for await (const message of ils.history(session.id)) history.push(message.seq);
await ils.close();
console.log(JSON.stringify({ end, seqs, history }));
`,
    );
    const out = execFileSync(process.execPath, ["script.mjs"], {
      cwd: project,
      env: { ...process.env, ILS_URL: server.url, ILS_TOKEN: TOKEN },
      encoding: "utf8",
      timeout: 60_000,
    });
    const { end, seqs, history } = JSON.parse(out.trim().split("\n").at(-1)!) as { end: string; seqs: number[]; history: number[] };
    expect(end).toBe("finished");
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs).toEqual(history);
    expect(history).toEqual(history.map((_, i) => i + 1));
  });

  it(
    "typechecks against its declarations with tsc --noEmit (strict, no skipLibCheck), and rejects a wrong call",
    { timeout: 5 * 60_000 },
    () => {
      writeFileSync(
        join(project, "typed.ts"),
        `import { createIlsClient, type IlsClient } from "@ils/client";
const ils: IlsClient = createIlsClient({ url: "http://127.0.0.1:9999" });
const page = await ils.trpc.sessions.list.query({ limit: 10 });
const names: (string | null)[] = page.items.map((session) => session.name);
const hits = await ils.trpc.search.query.query({ q: "hello" });
const snippet: string | undefined = hits.items[0]?.snippet;
console.log(names, snippet);
`,
      );
      writeFileSync(
        join(project, "wrong.ts"),
        `import { createIlsClient } from "@ils/client";
const ils = createIlsClient({ url: "http://127.0.0.1:9999" });
// @ts-expect-error limit is a number
await ils.trpc.sessions.list.query({ limit: "10" });
// @ts-expect-error no such procedure
await ils.trpc.sessions.nope.query();
`,
      );
      const tsconfig = {
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          lib: ["ES2023", "DOM"],
          types: ["node"],
          typeRoots: [join(REPO_ROOT, "node_modules", "@types")],
        },
        files: ["typed.ts", "wrong.ts", "broken.ts"],
      };
      // One deliberate error: the check can fail, and it must be the only error (the declarations themselves are clean).
      writeFileSync(
        join(project, "broken.ts"),
        `import { createIlsClient } from "@ils/client";\nconst n: number = createIlsClient({ url: "x" }).trpc;\nconsole.log(n);\n`,
      );
      writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig));
      const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
      const check = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project, encoding: "utf8" });
      const errors = check.stdout.split("\n").filter((line) => line.includes("error TS"));
      expect(errors, check.stdout).toHaveLength(1);
      expect(errors[0]).toMatch(/^broken\.ts\(2,7\): error TS2322/);
      expect(check.status).toBe(2);
    },
  );
});
