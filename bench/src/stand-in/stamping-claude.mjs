#!/usr/bin/env node
/**
 * stamping-claude: a stand-in for `claude -p ... --output-format stream-json` for the streaming benchmark.
 * It replays the init, one assistant text line (repeated) and the result recorded in
 * fixtures/generated/01-simple/stdout.jsonl, and writes into each assistant text `@@t=<epoch ms>@@`: the
 * moment that line was handed to stdout, on the clock every local process shares (performance.timeOrigin +
 * performance.now(), sub-millisecond). A reader computes (receive time - stamp) per line.
 *
 *   BENCH_STAMP_LINES     assistant lines to print (default 100)
 *   BENCH_STAMP_DELAY_MS  pause between lines (default 2); 0 = as fast as the pipe takes them (throughput)
 * A prompt containing `[bench lines=300 delay=0]` overrides both for that run.
 * With `--input-format stream-json` (how the server runs Claude Code) the prompts come on stdin as user turns,
 * one turn each, until stdin ends; `initialize` is answered. Otherwise the prompt is `-p <prompt>` (the baseline).
 * `--version` prints a version, like the real CLI (the server's health check asks).
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

if (process.argv.includes("--version")) {
  process.stdout.write("2.1.70 (Claude Code, bench stand-in)\n");
  process.exit(0);
}

const recording = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "fixtures", "generated", "01-simple", "stdout.jsonl");
const [init, assistant, result] = readFileSync(recording, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const argv = process.argv.slice(2);
const sessionId = randomUUID();
const now = () => performance.timeOrigin + performance.now();
const write = (text) => new Promise((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once("drain", resolve)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The line is serialised once; only the stamp and ids change per line.
const template = JSON.stringify({
  ...assistant,
  message: { ...assistant.message, id: "@@MSGID@@", content: [{ type: "text", text: "@@STAMP@@" }] },
  session_id: sessionId,
  uuid: "@@UUID@@",
});

async function turn(prompt) {
  const directive = Object.fromEntries(
    [...(/\[bench ([^\]]*)\]/.exec(prompt)?.[1] ?? "").matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]),
  );
  const lines = Number(directive.lines ?? process.env.BENCH_STAMP_LINES ?? "100");
  const delayMs = Number(directive.delay ?? process.env.BENCH_STAMP_DELAY_MS ?? "2");
  await write(`${JSON.stringify({ ...init, session_id: sessionId, cwd: process.cwd(), uuid: randomUUID() })}\n`);
  for (let i = 0; i < lines; i++) {
    const line = template.replace("@@MSGID@@", `msg_bench_${i}`).replace("@@UUID@@", randomUUID());
    await write(`${line.replace("@@STAMP@@", `@@t=${now().toFixed(3)}@@`)}\n`);
    if (delayMs > 0) await sleep(delayMs);
  }
  await write(`${JSON.stringify({ ...result, session_id: sessionId, uuid: randomUUID() })}\n`);
}

if (argv.includes("--input-format")) {
  let turns = Promise.resolve();
  const rl = createInterface({ input: process.stdin });
  rl.on("line", (line) => {
    const msg = JSON.parse(line);
    if (msg.type === "control_request" && msg.request?.subtype === "initialize") {
      void write(
        `${JSON.stringify({ type: "control_response", response: { subtype: "success", request_id: msg.request_id, response: {} } })}\n`,
      );
    } else if (msg.type === "user") {
      const content = msg.message?.content;
      turns = turns.then(() => turn(typeof content === "string" ? content : ""));
    }
  });
  await new Promise((resolve) => rl.once("close", resolve));
  await turns;
} else {
  const promptAt = argv.findIndex((a) => a === "-p" || a === "--print");
  await turn(promptAt >= 0 ? (argv[promptAt + 1] ?? "") : "");
}
