import { findClaudeCli, type ClaudeCli } from "./chat/claude-cli.ts";
import { ForkService } from "./chat/fork-service.ts";
import { StreamingService } from "./chat/streaming-service.ts";
import type { Config } from "./config/config.ts";
import type { Database } from "./db/database.ts";
import { openPrisma, type Prisma } from "./db/prisma.ts";
import { HealthService } from "./health/health-service.ts";
import type { Logger } from "./logger.ts";
import { HistoryService } from "./messages/history-service.ts";
import { IngestService } from "./messages/ingest-service.ts";
import { MessageBus } from "./messages/message-bus.ts";
import { projectDirectories } from "./projects/project-path.ts";
import { ProjectService } from "./projects/project-service.ts";
import { SessionService } from "./sessions/session-service.ts";
import { ViewHistoryService } from "./presentation/view-history.ts";
import { SseStreams } from "./rest/sse.ts";
import { SearchIndexer } from "./search/search-indexer.ts";
import { SearchService } from "./search/search-service.ts";
import { StatsService } from "./stats/stats-service.ts";
import { ExportService } from "./export/export-service.ts";
import { SyncService } from "./sync/sync-service.ts";

/** Every service, built once; transports (tRPC, REST) only call into these. */
export interface Services {
  config: Config;
  /** The Claude Code executable runs use. */
  cli: ClaudeCli;
  db: Database;
  /** Prisma Client on a second connection to the same file (src/db/prisma.ts): the ordinary reads and writes. */
  prisma: Prisma;
  logger: Logger;
  bus: MessageBus;
  sessions: SessionService;
  /** Registered and derived projects; the directories sessions get from them. */
  projects: ProjectService;
  ingest: IngestService;
  history: HistoryService;
  /** The app's default history: only what a person reads (docs/presentation.md). */
  viewHistory: ViewHistoryService;
  health: HealthService;
  /** Live chat: runs Claude Code and streams what it prints. */
  streaming: StreamingService;
  forks: ForkService;
  search: SearchService;
  /** Keeps the full-text index up with stored messages, in batches. */
  searchIndexer: SearchIndexer;
  exporter: ExportService;
  /** Imports Claude Code's own transcripts (~/.claude/projects). */
  sync: SyncService;
  /** Open SSE responses, ended with a final `error` event at shutdown. */
  sseStreams: SseStreams;
  /** Counts for the app's Home screen. */
  stats: StatsService;
}

/**
 * What the transports (tRPC, REST, http/) receive: the services, never the database, Prisma, the bus or the
 * CLI (docs/architecture.md). test/rest/transport-boundary.test.ts checks their sources import no db module.
 */
export type TransportServices = Pick<
  Services,
  | "config"
  | "logger"
  | "sessions"
  | "projects"
  | "ingest"
  | "history"
  | "viewHistory"
  | "health"
  | "streaming"
  | "forks"
  | "search"
  | "exporter"
  | "sync"
  | "sseStreams"
  | "stats"
>;

export function createServices(config: Config, db: Database, logger: Logger): Services {
  const bus = new MessageBus();
  const prisma = openPrisma(db.name);
  const directories = projectDirectories(config);
  const projects = new ProjectService(prisma, directories);
  const sessions = new SessionService(db, prisma, directories, projects);
  const searchIndexer = new SearchIndexer(db, logger);
  const ingest = new IngestService(db, bus, () => searchIndexer.schedule());
  const history = new HistoryService(db);
  const cli = findClaudeCli(config.claudeBin);
  return {
    config,
    cli,
    db,
    prisma,
    logger,
    bus,
    sessions,
    projects,
    ingest,
    history,
    viewHistory: new ViewHistoryService(db),
    health: new HealthService(db, cli),
    streaming: new StreamingService({ config, db, logger, bus, sessions, ingest, history, cli }),
    forks: new ForkService(db, sessions, ingest),
    search: new SearchService(db, logger, searchIndexer),
    searchIndexer,
    sync: new SyncService(db, sessions, ingest, config.claudeDir, logger),
    exporter: new ExportService(db),
    sseStreams: new SseStreams(),
    stats: new StatsService(prisma),
  };
}
