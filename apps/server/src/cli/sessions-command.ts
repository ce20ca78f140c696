import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { ExportFormat, SessionSource } from "@ils/contracts";
import type { Command } from "commander";
import { CliError, cliConfig, userPath, withServices } from "./local-services.ts";
import { formatTable, oneLine } from "./table.ts";

interface DbOption {
  db?: string;
}

/** `ils sessions list|show|export`: the stored sessions, read through SessionService and ExportService. */
export function addSessionsCommand(program: Command): void {
  const sessions = program.command("sessions").description("list, show and export stored sessions");

  sessions
    .command("list")
    .description("sessions, newest activity first")
    .option("--limit <n>", "how many (1..200)", "50")
    .option("--project <path>", "only sessions of this project directory")
    .option("--source <source>", "ils (started here) or external (imported from Claude Code)")
    .option("--db <file>", "SQLite file (default: ILS_DB or ~/.ils/ils.db)")
    .option("--json", "print the page as JSON")
    .action(async (opts: DbOption & { limit: string; project?: string; source?: string; json?: boolean }) => {
      const page = await withServices(cliConfig(opts), (services) =>
        services.sessions.list({
          limit: Number(opts.limit),
          ...(opts.project ? { projectPath: userPath(opts.project) } : {}),
          ...(opts.source ? { source: SessionSource.parse(opts.source) } : {}),
        }),
      );
      if (opts.json) return void process.stdout.write(`${JSON.stringify(page)}\n`);
      const rows = page.items.map((s) => [
        s.lastActiveAt,
        s.id,
        String(s.messageCount),
        s.source,
        oneLine(s.name ?? s.firstPrompt, 50),
        s.projectPath ?? "",
      ]);
      process.stdout.write(formatTable(["last active", "id", "messages", "source", "name", "project"], rows));
      process.stderr.write(`${page.items.length} of ${page.total} sessions\n`);
    });

  sessions
    .command("show")
    .description("one session's details")
    .argument("<id>", "session id")
    .option("--db <file>", "SQLite file (default: ILS_DB or ~/.ils/ils.db)")
    .option("--json", "print the session as JSON")
    .action(async (id: string, opts: DbOption & { json?: boolean }) => {
      const session = await withServices(cliConfig(opts), (services) => services.sessions.get(id));
      if (opts.json) return void process.stdout.write(`${JSON.stringify(session)}\n`);
      const fields: [string, string | number | null][] = [
        ["id", session.id],
        ["name", session.name],
        ["project", session.projectPath],
        ["status", session.status],
        ["source", session.source],
        ["model", session.model],
        ["messages", session.messageCount],
        ["turns", session.numTurns],
        ["cost (USD)", session.totalCostUsd],
        ["claude session", session.claudeSessionId],
        ["forked from", session.forkedFromId],
        ["first prompt", oneLine(session.firstPrompt, 200)],
        ["created", session.createdAt],
        ["last active", session.lastActiveAt],
      ];
      const width = Math.max(...fields.map(([label]) => label.length));
      process.stdout.write(fields.map(([label, value]) => `${label.padEnd(width)}  ${value ?? "-"}`).join("\n") + "\n");
    });

  sessions
    .command("export")
    .description("write a session out as JSONL (the stored lines, byte for byte) or a Markdown transcript")
    .argument("<id>", "session id")
    .option("--format <format>", "jsonl or markdown", "jsonl")
    .option("-o, --output <file>", "write to this file instead of stdout")
    .option("--db <file>", "SQLite file (default: ILS_DB or ~/.ils/ils.db)")
    .action(async (id: string, opts: DbOption & { format: string; output?: string }) => {
      const format = ExportFormat.safeParse(opts.format);
      if (!format.success) throw new CliError(`--format: must be jsonl or markdown (got ${JSON.stringify(opts.format)})`, 2);
      await withServices(cliConfig(opts), async (services) => {
        const chunks = services.exporter.stream(id, format.data);
        const out = opts.output ? createWriteStream(userPath(opts.output)) : process.stdout;
        for await (const chunk of chunks) {
          if (!out.write(chunk)) await once(out, "drain");
        }
        if (out !== process.stdout)
          await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      });
    });
}
