import type { Command } from "commander";
import { cliConfig, userPath, withServices } from "./local-services.ts";

/** `ils search`: full-text search over every stored message (SearchService, the same as `search.query`). */
export function addSearchCommand(program: Command): void {
  program
    .command("search")
    .description('full-text search over stored messages (FTS5 syntax: words, "a phrase", prefix*)')
    .argument("<query...>", "what to look for")
    .option("--session <id>", "only this session")
    .option("--project <path>", "only sessions of this project directory")
    .option("--limit <n>", "how many hits (1..100)", "20")
    .option("--db <file>", "SQLite file (default: ILS_DB or ~/.ils/ils.db)")
    .option("--json", "print the page of hits as JSON")
    .action(async (words: string[], opts: { session?: string; project?: string; limit: string; db?: string; json?: boolean }) => {
      const page = await withServices(cliConfig(opts), (services) =>
        services.search.query({
          q: words.join(" "),
          limit: Number(opts.limit),
          ...(opts.session ? { sessionId: opts.session } : {}),
          ...(opts.project ? { projectPath: userPath(opts.project) } : {}),
        }),
      );
      if (opts.json) return void process.stdout.write(`${JSON.stringify(page)}\n`);
      for (const hit of page.items) {
        process.stdout.write(
          `${hit.sessionId} #${hit.seq} ${hit.type} ${hit.timestamp ?? ""}  ${hit.sessionName ?? hit.projectPath ?? ""}\n  ${hit.snippet}\n`,
        );
      }
      process.stderr.write(`${page.items.length} of ${page.total} hits\n`);
    });
}
