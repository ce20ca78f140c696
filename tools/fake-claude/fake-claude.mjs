#!/usr/bin/env node
/**
 * fake-claude: a stand-in for the Claude Code CLI. Two ways to drive it, as the real one:
 *   control protocol: `claude -p --input-format stream-json --output-format stream-json --verbose
 *     --permission-prompt-tool stdio ...`: answers `initialize`, reads user turns on stdin (one recording replayed per
 *     turn, the process stays for the next one until stdin ends), asks `can_use_tool` when a turn says so and waits
 *     for the control_response, and stops a turn on an `interrupt` control request (with the CLI's own lines).
 *   print mode: `claude -p <prompt> --output-format stream-json --verbose` (one recording, then exit).
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
 *   FAKE_CLAUDE_PROMPT_LOG file: one JSON line per user turn received on stdin: { pid, prompt }
 *
 * Control-protocol turns also take these directive keys (no env form):
 *   permission=<Tool>  after the init line, ask can_use_tool for <Tool> (input: file_path <cwd>/NOTES.md, content);
 *                      on allow the file is written with the (updated) input and a tool_result follows; on deny an
 *                      error tool_result with the message. Then the replay goes on.
 *   sleep=<s>          after the init line, run `sleep <s>; echo x` in a process group of its own (as the real CLI runs
 *                      a Bash tool) and wait for it; an interrupt does NOT end that tool (the server must kill the tree)
 *   bigline=<bytes>    print one line of that many bytes (no newline until the end), then the rest
 *
 * Prompt directive: a prompt containing `[fake mode=fail after=2 scenario=02-tools delay=0 stderr=boom exit=3]`
 * overrides the matching knobs for that run/turn (keys: scenario, run, delay, repeat, mode, after, stderr, exit, and
 * the control-protocol keys above).
 *
 * Like the real CLI: every line gets a fresh `uuid`; `session_id` is a fresh uuid, the `--resume` id when resuming,
 * and a fresh one with `--fork-session`; the init line's `cwd` is the real cwd. SIGINT prints an interrupted result
 * and exits 0 promptly. `--version` prints a version.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { createInterface } from "node:readline";
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
const streamInput = argv.includes("--input-format") && flag("--input-format") === "stream-json";
const printPrompt = streamInput ? "" : (flag("-p") ?? flag("--print") ?? "");
let directive = parseDirective(printPrompt);
const knob = (key, envName, fallback) => directive[key] ?? (envName ? process.env[envName] : undefined) ?? fallback;

const resumeId = flag("--resume");
const forkSession = argv.includes("--fork-session");
const sessionId = resumeId && !forkSession ? resumeId : randomUUID();

let grandchildPid = null;
if (process.env.FAKE_CLAUDE_SPAWN_CHILD === "1") {
  // Like a Bash tool's command: same process group, outlives nothing on its own.
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  grandchildPid = child.pid ?? null;
}
if (process.env.FAKE_CLAUDE_ARGV_LOG) {
  appendFileSync(
    process.env.FAKE_CLAUDE_ARGV_LOG,
    `${JSON.stringify({ pid: process.pid, argv, cwd: process.cwd(), grandchildPid, ilsEnv: Object.keys(process.env).filter((k) => k.startsWith("ILS_")) })}\n`,
  );
}

let stopping = false;
let turns = 0;
const interruptedResult = () => ({
  type: "result",
  subtype: "error_during_execution",
  is_error: true,
  duration_ms: 1,
  num_turns: 1,
  session_id: sessionId,
  total_cost_usd: 0,
  uuid: randomUUID(),
});
process.on("SIGINT", () => {
  if (process.env.FAKE_CLAUDE_IGNORE_SIGINT === "1") return;
  stopping = true;
  process.stdout.write(`${JSON.stringify(interruptedResult())}\n`, () => process.exit(0));
});

if (streamInput) await controlProtocol();
else await play(expand(loadRecording(), Number(knob("repeat", "FAKE_CLAUDE_REPEAT", "1"))).map(rewrite));

/** stdin: control requests and user turns, one JSON per line; each turn replays a recording. */
async function controlProtocol() {
  const answers = new Map();
  let turn = Promise.resolve();
  let interrupt = null;
  const rl = createInterface({ input: process.stdin });
  rl.on("line", (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if (msg.type === "control_request" && msg.request?.subtype === "initialize") {
      void write(
        `${JSON.stringify({ type: "control_response", response: { subtype: "success", request_id: msg.request_id, response: { commands: [], models: [] } } })}\n`,
      );
    } else if (msg.type === "control_request" && msg.request?.subtype === "interrupt") {
      interrupt?.();
      void write(
        `${JSON.stringify({ type: "control_response", response: { subtype: "success", request_id: msg.request_id, response: {} } })}\n`,
      );
    } else if (msg.type === "control_response") {
      answers.get(msg.response?.request_id)?.(msg.response?.response);
    } else if (msg.type === "user") {
      const content = msg.message?.content;
      const text = typeof content === "string" ? content : Array.isArray(content) ? content.map((b) => b?.text ?? "").join("") : "";
      if (process.env.FAKE_CLAUDE_PROMPT_LOG)
        appendFileSync(process.env.FAKE_CLAUDE_PROMPT_LOG, `${JSON.stringify({ pid: process.pid, prompt: text })}\n`);
      turn = turn.then(() => playTurn(text));
    }
  });
  await new Promise((resolve) => rl.once("close", resolve));
  await turn;

  async function playTurn(text) {
    directive = parseDirective(text);
    stopping = false;
    let interrupted = false;
    let wakeInterrupt = () => undefined;
    const interruptedPromise = new Promise((resolve) => (wakeInterrupt = resolve));
    interrupt = () => {
      interrupted = true;
      stopping = true;
      wakeInterrupt();
    };
    const lines = expand(loadRecording(), Number(knob("repeat", "FAKE_CLAUDE_REPEAT", "1"))).map(rewrite);
    const [init, ...rest] = lines;
    if (init) await write(`${init}\n`);
    if (knob("permission") && !interrupted) {
      const requestId = randomUUID();
      const input = { file_path: join(process.cwd(), "NOTES.md"), content: "# Notes\n" };
      const answered = new Promise((resolve) => answers.set(requestId, resolve));
      await write(
        `${JSON.stringify({ type: "control_request", request_id: requestId, request: { subtype: "can_use_tool", tool_name: knob("permission"), input, tool_use_id: "toolu_fake", permission_suggestions: [] } })}\n`,
      );
      const answer = await Promise.race([answered, interruptedPromise]);
      answers.delete(requestId);
      if (answer && answer.behavior === "allow") {
        const used = answer.updatedInput ?? input;
        writeFileSync(used.file_path, used.content ?? "");
        await write(`${JSON.stringify(toolResult(`File created successfully at: ${used.file_path}`, false))}\n`);
      } else if (answer) {
        await write(`${JSON.stringify(toolResult(answer.message ?? "denied", true))}\n`);
      }
    }
    if (knob("sleep") && !interrupted) {
      // Like the real CLI's Bash tool: a process group of its own.
      const tool = spawn("sh", ["-c", `sleep ${Number(knob("sleep"))}; echo x`], { detached: true, stdio: "ignore" });
      if (process.env.FAKE_CLAUDE_ARGV_LOG)
        appendFileSync(process.env.FAKE_CLAUDE_ARGV_LOG, `${JSON.stringify({ pid: process.pid, toolPid: tool.pid })}\n`);
      await Promise.race([new Promise((resolve) => tool.once("exit", resolve)), interruptedPromise]);
    }
    if (knob("bigline") && !interrupted) {
      let left = Number(knob("bigline"));
      const chunk = "x".repeat(1024 * 1024);
      await write('{"type":"assistant","pad":"');
      while (left > 0) {
        await write(left >= chunk.length ? chunk : chunk.slice(0, left));
        left -= chunk.length;
      }
      await write('"}\n');
    }
    if (!interrupted) await play(rest, () => interrupted);
    if (interrupted) {
      await write(
        `${JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "text", text: "[Request interrupted by user]" }] }, parent_tool_use_id: null, session_id: sessionId, uuid: randomUUID() })}\n`,
      );
      await write(`${JSON.stringify(interruptedResult())}\n`);
    }
    interrupt = null;
  }
}

function toolResult(text, isError) {
  return {
    type: "user",
    message: { role: "user", content: [{ tool_use_id: "toolu_fake", type: "tool_result", content: text, is_error: isError }] },
    parent_tool_use_id: null,
    session_id: sessionId,
    uuid: randomUUID(),
  };
}

async function play(all, interrupted = () => false) {
  const delayMs = Number(knob("delay", "FAKE_CLAUDE_DELAY_MS", "5"));
  const mode = knob("mode", "FAKE_CLAUDE_MODE", "replay");
  const after = Number(knob("after", "FAKE_CLAUDE_AFTER", "1")) - (streamInput ? 1 : 0);
  const limit = mode === "replay" || mode === "garbage" ? all.length : Math.max(0, Math.min(after, all.length));
  const out = [];
  for (let i = 0; i < limit; i++) {
    if (mode === "garbage" && i === after) out.push("this line is not JSON {{{");
    out.push(all[i]);
  }
  if (mode === "garbage" && after >= all.length) out.push("this line is not JSON {{{");
  if (delayMs <= 0) await write(out.join("\n") + (out.length ? "\n" : ""));
  else {
    for (const line of out) {
      if (stopping || interrupted()) return;
      await write(`${line}\n`);
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
  if (stopping || interrupted()) return;
  if (mode === "fail") {
    process.stderr.write(`${knob("stderr", "FAKE_CLAUDE_STDERR", "fake-claude: simulated failure")}\n`);
    process.exit(Number(knob("exit", "FAKE_CLAUDE_EXIT_CODE", "1")));
  } else if (mode === "hang") {
    // Silent until interrupted (control protocol) or killed.
    await new Promise((resolve) => {
      const poll = setInterval(() => interrupted() && (clearInterval(poll), resolve()), 20);
    });
  }
}

function write(text) {
  return new Promise((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once("drain", resolve)));
}

function loadRecording() {
  turns += 1;
  const fixtures = process.env.FAKE_CLAUDE_FIXTURES ?? join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "generated");
  const scenario = knob("scenario", "FAKE_CLAUDE_SCENARIO", "01-simple");
  let path = isAbsolute(scenario) ? scenario : join(fixtures, scenario);
  if (statSync(path).isDirectory() && !existsSync(join(path, "stdout.jsonl"))) {
    const runs = readdirSync(path)
      .filter((n) => existsSync(join(path, n, "stdout.jsonl")))
      .sort();
    const run = knob("run", "FAKE_CLAUDE_RUN", undefined) ?? (resumeId || turns > 1 ? (runs[1] ?? runs[0]) : runs[0]);
    if (!run) throw new Error(`fake-claude: no stdout.jsonl under ${path}`);
    path = join(path, run);
  }
  if (statSync(path).isDirectory()) path = join(path, "stdout.jsonl");
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
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
  return Object.fromEntries(
    match[1]
      .split(/\s+/)
      .filter(Boolean)
      .map((kv) => {
        const i = kv.indexOf("=");
        return i < 0 ? [kv, "1"] : [kv.slice(0, i), kv.slice(i + 1)];
      }),
  );
}
