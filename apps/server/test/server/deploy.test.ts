import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DockerfileParser } from "dockerfile-ast";
import { validate } from "dockerfile-utils";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, tempDir } from "../support/temp.ts";

const CLI = join(REPO_ROOT, "apps", "server", "src", "cli", "main.ts");
const TOKEN = "deploy-test-token-0123456789abcdef";
const dir = tempDir("ils-deploy-");
afterAll(() => dir.cleanup());

function ils(args: string[], env: Record<string, string> = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env, HOME: dir.path, XDG_CONFIG_HOME: "", INIT_CWD: dir.path };
  for (const key of Object.keys(base)) if (key.startsWith("ILS_")) delete base[key];
  return spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...base, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

const which = (bin: string) => spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" }).stdout.trim();

describe("ils service install --user", () => {
  const settings = { ILS_DB: join(dir.path, "data", "ils.db"), ILS_PORT: "9911", ILS_TOKEN: TOKEN };
  const unitPath = join(dir.path, ".config", "systemd", "user", "ils.service");
  const envPath = join(dir.path, ".config", "ils", "ils.env");

  it("writes a systemd user unit running `ils serve` with the current settings, the token in a file only its owner reads", () => {
    const result = ils(["service", "install", "--user", "--format", "systemd"], settings);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain("systemctl --user enable --now ils");
    const unit = readFileSync(unitPath, "utf8");
    expect(unit).toContain(`ExecStart="${process.execPath}" "--import" "tsx" "${CLI}" "serve"`);
    expect(unit).toContain(`Environment="ILS_DB=${settings.ILS_DB}"`);
    expect(unit).toContain(`Environment="ILS_PORT=9911"`);
    expect(unit).toContain(`EnvironmentFile=${envPath}\n`);
    expect(unit).toContain(`WorkingDirectory=${REPO_ROOT.replace(/\/$/, "")}\n`);
    expect(unit).not.toContain(TOKEN);
    expect(readFileSync(envPath, "utf8")).toBe(`ILS_TOKEN=${TOKEN}\n`);
    expect(statSync(envPath).mode & 0o777).toBe(0o600);

    // --print / --dry-run: the same unit on stdout, the token shown as a placeholder, nothing written.
    const printedHome = join(dir.path, "printed");
    mkdirSync(printedHome);
    const printed = ils(["service", "install", "--user", "--dry-run", "--format", "systemd"], { ...settings, HOME: printedHome });
    expect(printed.status, printed.stderr).toBe(0);
    expect(printed.stdout).toContain("ExecStart=");
    expect(printed.stdout).toContain("ILS_TOKEN=<your ILS_TOKEN>");
    expect(printed.stdout).not.toContain(TOKEN);
    expect(existsSync(join(printedHome, ".config"))).toBe(false);
    expect(ils(["service", "install", "--print"]).status).toBe(2); // --user is required
  });

  it("the unit passes systemd-analyze verify", (ctx) => {
    const analyze = which("systemd-analyze");
    if (!analyze) {
      console.warn("[deploy.test] systemd-analyze not installed (scripts/ensure-test-tools.mjs installs it as root with apt): skipped");
      return ctx.skip();
    }
    const runtime = join(dir.path, "runtime");
    mkdirSync(runtime, { mode: 0o700, recursive: true });
    const verify = spawnSync(analyze, ["verify", "--user", unitPath], {
      env: { ...process.env, XDG_RUNTIME_DIR: runtime, HOME: dir.path },
      encoding: "utf8",
    });
    expect(verify.status, verify.stderr).toBe(0);
    // Unknown keys and unparsable values are only warnings (exit 0): none may be printed for this unit.
    expect(verify.stderr.split("\n").filter((line) => line.includes("ils.service"))).toEqual([]);
  });

  it("writes a launchd agent (macOS) that parses as a property list and runs `ils serve`", (ctx) => {
    const result = ils(["service", "install", "--user", "--format", "launchd"], settings);
    expect(result.status, result.stderr).toBe(0);
    const plist = join(dir.path, "Library", "LaunchAgents", "dev.ils.server.plist");
    expect(statSync(plist).mode & 0o777).toBe(0o600); // it holds the token
    const python = which("python3");
    if (!python) {
      console.warn("[deploy.test] python3 not found to parse the plist (plistlib): skipped");
      return ctx.skip();
    }
    const parsed = spawnSync(
      python,
      ["-c", "import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))", plist],
      { encoding: "utf8" },
    );
    expect(parsed.status, parsed.stderr).toBe(0);
    const agent = JSON.parse(parsed.stdout) as {
      Label: string;
      ProgramArguments: string[];
      EnvironmentVariables: Record<string, string>;
      RunAtLoad: boolean;
    };
    expect(agent.Label).toBe("dev.ils.server");
    expect(agent.ProgramArguments).toEqual([process.execPath, "--import", "tsx", CLI, "serve"]);
    expect(agent.EnvironmentVariables).toMatchObject(settings);
    expect(agent.RunAtLoad).toBe(true);
  });
});

describe("Dockerfile", () => {
  const text = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");

  it("passes the Dockerfile linter of the VS Code Docker extension (dockerfile-utils) without a problem", () => {
    expect(validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it("builds better-sqlite3, runs `ils serve` as a non-root user with the data folder as a volume", () => {
    const dockerfile = DockerfileParser.parse(text);
    const froms = dockerfile.getFROMs();
    expect(froms.map((from) => from.getImageName())).toEqual(["node", "node"]);
    expect(froms.every((from) => from.getImageTag() === "22-slim")).toBe(true);
    const runStage = text.slice(text.lastIndexOf("\nFROM "));
    const instructions = dockerfile
      .getInstructions()
      .filter((i) => i.getRange().start.line >= text.slice(0, text.lastIndexOf("\nFROM ")).split("\n").length);
    const argsOf = (keyword: string) => instructions.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? "");
    expect(runStage).toMatch(/apt-get install[^\n]*python3 make g\+\+/);
    expect(runStage).toContain("npm_config_build_from_source=true npm install --global");
    expect(argsOf("VOLUME")).toEqual(['["/data"]']);
    expect(argsOf("USER")).toEqual(["node"]);
    expect(argsOf("CMD")).toEqual(['["ils", "serve"]']);
    expect(argsOf("EXPOSE")).toEqual(["9999"]);
    expect(argsOf("ENV").join(" ")).toMatch(/ILS_DB=\/data\/ils\.db/);
    // The pnpm it installs with is the repository's own.
    const { packageManager } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { packageManager: string };
    expect(text).toContain(`npx --yes ${packageManager} install --frozen-lockfile`);
    // What the build stage copies must leave the host's node_modules (native builds for another libc/Node) out.
    expect(readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8")).toMatch(/^\*\*\/node_modules$/m);
  });
});
