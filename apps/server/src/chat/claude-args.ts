import type { RunOptions } from "@ils/contracts";

/** Session-level settings: what a run uses when its own options do not say otherwise. */
export interface SessionRunSettings {
  model?: string | null;
  permissionMode?: string | null;
  systemPrompt?: string | null;
  maxTurns?: number | null;
  maxBudgetUsd?: number | null;
}

export interface ClaudeArgsInput {
  options?: RunOptions | undefined;
  /** The Claude session to continue (its own id, or the parent's for a fork's first run). */
  resume?: string | null;
  /** With `resume`: Claude copies the conversation into a new session id instead of appending to it. */
  forkSession?: boolean;
  /** With `resume`: copy the conversation only up to this Claude message uuid (a fork at a message). */
  resumeSessionAt?: string | null;
  session?: SessionRunSettings;
}

/**
 * The argv (without the executable) of one Claude Code process speaking the control protocol. The prompt is
 * not in it: user turns go in on stdin, so no prompt ever reaches the CLI's option parser. Every option is
 * mapped to its one flag here, user text always in the `--flag=value` form (a value that starts with `-` stays
 * a value); passed to spawn as is, never through a shell.
 */
export function buildClaudeArgs(input: ClaudeArgsInput): string[] {
  const o = input.options ?? {};
  const s = input.session ?? {};
  const args = ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose", "--permission-prompt-tool", "stdio"];
  if (input.resume) {
    args.push("--resume", input.resume);
    if (input.forkSession) args.push("--fork-session");
    if (input.resumeSessionAt) args.push("--resume-session-at", input.resumeSessionAt);
  }
  // No model unless one was chosen: Claude Code's own default stands.
  const model = o.model ?? s.model;
  if (model) args.push(`--model=${model}`);
  const permissionMode = o.permissionMode ?? s.permissionMode;
  // "default" is the CLI's own default: leaving it out keeps the command line what a user would type.
  if (permissionMode && permissionMode !== "default") args.push("--permission-mode", permissionMode);
  const maxTurns = o.maxTurns ?? s.maxTurns;
  if (maxTurns !== undefined && maxTurns !== null) args.push("--max-turns", String(maxTurns));
  const maxBudget = o.maxBudgetUSD ?? s.maxBudgetUsd;
  if (maxBudget !== undefined && maxBudget !== null) args.push("--max-budget-usd", String(maxBudget));
  if (o.allowedTools?.length) args.push(`--allowedTools=${o.allowedTools.join(",")}`);
  if (o.disallowedTools?.length) args.push(`--disallowedTools=${o.disallowedTools.join(",")}`);
  const systemPrompt = o.systemPrompt ?? s.systemPrompt;
  if (systemPrompt !== undefined && systemPrompt !== null) args.push(`--system-prompt=${systemPrompt}`);
  if (o.appendSystemPrompt !== undefined) args.push(`--append-system-prompt=${o.appendSystemPrompt}`);
  for (const dir of o.addDirs ?? []) args.push(`--add-dir=${dir}`);
  if (o.agent !== undefined) args.push(`--agent=${o.agent}`);
  for (const beta of o.betas ?? []) args.push(`--betas=${beta}`);
  if (o.debug) args.push("--debug");
  if (o.includePartialMessages) args.push("--include-partial-messages");
  return args;
}
