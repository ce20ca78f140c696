import type { Config } from "./config/config.ts";
import type { Database } from "./db/database.ts";
import { HealthService } from "./health/health-service.ts";
import type { Logger } from "./logger.ts";
import { HistoryService } from "./messages/history-service.ts";
import { IngestService } from "./messages/ingest-service.ts";
import { MessageBus } from "./messages/message-bus.ts";
import { SessionService } from "./sessions/session-service.ts";

/** Every service, built once; transports (tRPC, REST) only call into these. */
export interface Services {
  config: Config;
  db: Database;
  logger: Logger;
  bus: MessageBus;
  sessions: SessionService;
  ingest: IngestService;
  history: HistoryService;
  health: HealthService;
}

export function createServices(config: Config, db: Database, logger: Logger): Services {
  const bus = new MessageBus();
  return {
    config,
    db,
    logger,
    bus,
    sessions: new SessionService(db),
    ingest: new IngestService(db, bus),
    history: new HistoryService(db),
    health: new HealthService(db, config.claudeBin),
  };
}
