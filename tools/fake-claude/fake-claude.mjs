#!/usr/bin/env node
/**
 * fake-claude: a stand-in for the Claude Code CLI (`claude -p <prompt> --output-format stream-json --verbose ...`).
 * It accepts the same flags and replays a stdout.jsonl the real CLI recorded (fixtures/generated/), so the server,
 * its tests and the benchmark can run without a network or an API key. Plain .mjs, no build, no dependencies.
 *
 * Use: ILS_CLAUDE_BIN=<repo>/tools/fake-claude/fake-claude.mjs pnpm start
 *
 * Environment knobs (each can also be set per run by a directive in the prompt, see below):
 *   FAKE_CLAUDE_SCENARIO   recording to replay: a folder name under fixtures/generated (default `01-simple`), or an
 *                          absolute path to a folder or to a stdout.jsonl. A scenario with run folders (04-resume,
 *                          05-fork, 07-error, ...) uses its first run folder, or its second when `--resume` is given.
 *   FAKE_CLAUDE_RUN        run sub-folder to use (e.g. `api-400`), overrides the rule above
 *   FAKE_CLAUDE_FIXTURES   the fixtures/generated folder (default: <this file>/../../fixtures/generated)
 *   FAKE_CLAUDE_DELAY_MS   delay between lines in ms (default 5). 0 writes the whole recording at once (throughput).
 *   FAKE_CLAUDE_REPEAT     replay the recording's middle lines (between init and result) N times (default 1)
 *   FAKE_CLAUDE_MODE       replay (default) | fail | hang | garbage
 *                            fail:    print FAKE_CLAUDE_AFTER lines, write FAKE_CLAUDE_STDERR to stderr, exit
 *                                     FAKE_CLAUDE_EXIT_CODE (default 1)
 *                            hang:    print FAKE_CLAUDE_AFTER lines, then print nothing and never exit on its own
 *                            garbage: print a non-JSON line after FAKE_CLAUDE_AFTER lines, then the rest
 *   FAKE_CLAUDE_AFTER      lines printed before the mode takes effect (default 1)
 *   FAKE_CLAUDE_STDERR     stderr text of `fail` (default "fake-claude: simulated failure")
 *   FAKE_CLAUDE_EXIT_CODE  exit code of `fail` (default 1)
 *   FAKE_CLAUDE_ARGV_LOG   file: one JSON line per invocation is appended: { pid, argv, cwd, grandchildPid, ilsEnv }
 *                          (ilsEnv: names of ILS_* variables it inherited; the server passes none)
 *   FAKE_CLAUDE_SPAWN_CHILD=1    start a long-lived grandchild (like a Bash tool's `sleep`); its pid goes to the log
 *   FAKE_CLAUDE_IGNORE_SIGINT=1  ignore SIGINT (so only SIGKILL stops it)
 *
 * Prompt directive: a prompt containing `[fake mode=fail after=2 scenario=02-tools delay=0 stderr=boom exit=3]`
 * overrides the matching knobs for that run (keys: scenario, run, delay, repeat, mode, after, stderr, exit).
 *
 * Like the real CLI: every line gets a fresh `uuid`; `session_id` is a fresh uuid, the `--resume` id when resuming,
 * and a fresh one with `--fork-session`; the init line's `cwd` is the real cwd. SIGINT prints an interrupted result
 * and exits 0 promptly. `--version` prints a version.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

const VERSION = "2.1.197 (Claude Code, fake)";
const argv = process.argv.slice(2);

if (argv.includes("--version") || argv.includes("-v")) {
  process.stdout.write(`${VERSION}\n`);
  process.exit(0);
}

const flag = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const prompt = flag("-p") ?? flag("--print") ?? "";
const directive = parseDirective(prompt);
const knob = (key, envName, fallback) => directive[key] ?? process.env[envName] ?? fallback;

const resumeId = flag("--resume");
const forkSession = argv.includes("--fork-session");
const sessionId = resumeId && !forkSession ? resumeId : randomUUID();
const delayMs = Number(knob("delay", "FAKE_CLAUDE_DELAY_MS", "5"));
const repeat = Math.max(1, Number(knob("repeat", "FAKE_CLAUDE_REPEAT", "1")));
const mode = knob("mode", "FAKE_CLAUDE_MODE", "replay");
const after = Number(knob("after", "FAKE_CLAUDE_AFTER", "1"));

let grandchildPid = null;
if (process.env.FAKE_CLAUDE_SPAWN_CHILD === "1") {
  // Like a Bash tool's command: same process group, outlives nothing on its own.
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  grandchildPid = child.pid ?? null;
}
if (process.env.FAKE_CLAUDE_ARGV_LOG) {
  appendFileSync(process.env.FAKE_CLAUDE_ARGV_LOG, `${JSON.stringify({ pid: process.pid, argv, cwd: process.cwd(), grandchildPid, ilsEnv: Object.keys(process.env).filter((k) => k.startsWith("ILS_")) })}\n`);
}

let stopping = false;
process.on("SIGINT", () => {
  if (process.env.FAKE_CLAUDE_IGNORE_SIGINT === "1") return;
  stopping = true;
  const result = { type: "result", subtype: "error_during_execution", is_error: true, duration_ms: 1, num_turns: 1, session_id: sessionId, total_cost_usd: 0, uuid: randomUUID() };
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
});

const lines = expand(loadRecording(), repeat).map(rewrite);
await play(lines);

async function play(all) {
  const limit = mode === "replay" || mode === "garbage" ? all.length : Math.min(after, all.length);
  const out = [];
  for (let i = 0; i < limit; i++) {
    if (mode === "garbage" && i === after) out.push("this line is not JSON {{{");
    out.push(all[i]);
  }
  if (mode === "garbage" && after >= all.length) out.push("this line is not JSON {{{");
  if (delayMs <= 0) await write(out.join("\n") + (out.length ? "\n" : ""));
  else {
    for (const line of out) {
      if (stopping) return;
      await write(`${line}\n`);
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
  if (stopping) return;
  if (mode === "fail") {
    process.stderr.write(`${knob("stderr", "FAKE_CLAUDE_STDERR", "fake-claude: simulated failure")}\n`);
    process.exitCode = Number(knob("exit", "FAKE_CLAUDE_EXIT_CODE", "1"));
  } else if (mode === "hang") {
    setInterval(() => {}, 60_000);
  }
}

function write(text) {
  return new Promise((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once("drain", resolve)));
}

function loadRecording() {
  const fixtures = process.env.FAKE_CLAUDE_FIXTURES ?? join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "generated");
  const scenario = knob("scenario", "FAKE_CLAUDE_SCENARIO", "01-simple");
  let path = isAbsolute(scenario) ? scenario : join(fixtures, scenario);
  if (statSync(path).isDirectory() && !existsSync(join(path, "stdout.jsonl"))) {
    const runs = readdirSync(path).filter((n) => existsSync(join(path, n, "stdout.jsonl"))).sort();
    const run = knob("run", "FAKE_CLAUDE_RUN", undefined) ?? (resumeId ? (runs[1] ?? runs[0]) : runs[0]);
    if (!run) throw new Error(`fake-claude: no stdout.jsonl under ${path}`);
    path = join(path, run);
  }
  if (statSync(path).isDirectory()) path = join(path, "stdout.jsonl");
  return readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "");
}

function expand(all, times) {
  if (times <= 1 || all.length < 3) return all;
  const middle = all.slice(1, -1);
  return [all[0], ...Array.from({ length: times }, () => middle).flat(), all.at(-1)];
}

function rewrite(line) {
  let value;
  try {
    value = JSON.parse(line);
  } catch {
    return line;
  }
  if (value && typeof value === "object") {
    if ("uuid" in value) value.uuid = randomUUID();
    if ("session_id" in value) value.session_id = sessionId;
    if (value.type === "system" && value.subtype === "init") value.cwd = process.cwd();
  }
  return JSON.stringify(value);
}

function parseDirective(text) {
  const match = /\[fake ([^\]]*)\]/.exec(text);
  if (!match) return {};
  return Object.fromEntries(match[1].split(/\s+/).filter(Boolean).map((kv) => {
    const i = kv.indexOf("=");
    return i < 0 ? [kv, "1"] : [kv.slice(0, i), kv.slice(i + 1)];
  }));
}
