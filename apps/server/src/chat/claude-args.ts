import type { RunOptions } from "@ils/contracts";

export interface ClaudeArgsInput {
  prompt: string;
  options?: RunOptions | undefined;
  /** The Claude session to continue (its own id, or the parent's for a fork's first run). */
  resume?: string | null;
  /** With `resume`: Claude copies the conversation into a new session id instead of appending to it. */
  forkSession?: boolean;
  /** Session defaults, used when the run's options do not say otherwise. */
  model?: string | null;
  permissionMode?: string | null;
}

/** The argv (without the executable) of one `claude -p` run; passed to spawn as is, never through a shell. */
export function buildClaudeArgs(input: ClaudeArgsInput): string[] {
  const o = input.options ?? {};
  const args = ["-p", input.prompt, "--output-format", "stream-json", "--verbose"];
  if (input.resume) {
    args.push("--resume", input.resume);
    if (input.forkSession) args.push("--fork-session");
  }
  const model = o.model ?? input.model;
  if (model) args.push("--model", model);
  const permissionMode = o.permissionMode ?? input.permissionMode;
  // "default" is the CLI's own default: leaving it out keeps the command line what a user would type.
  if (permissionMode && permissionMode !== "default") args.push("--permission-mode", permissionMode);
  if (o.maxTurns !== undefined) args.push("--max-turns", String(o.maxTurns));
  if (o.allowedTools?.length) args.push("--allowedTools", o.allowedTools.join(","));
  if (o.disallowedTools?.length) args.push("--disallowedTools", o.disallowedTools.join(","));
  if (o.appendSystemPrompt !== undefined) args.push("--append-system-prompt", o.appendSystemPrompt);
  if (o.systemPrompt !== undefined) args.push("--system-prompt", o.systemPrompt);
  if (o.includePartialMessages) args.push("--include-partial-messages");
  return args;
}
