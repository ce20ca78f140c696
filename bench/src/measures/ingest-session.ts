import { workerMain } from "../support/child.ts";
import { forEachLine } from "../support/files.ts";
import { openServices } from "../support/services.ts";
import { nowMs } from "../support/stats.ts";

/**
 * Stores one transcript as one session through the single write path (`ingest.appendMessages`,
 * 1,000 lines per call), building the database the paging, cold-start and load measures read.
 */
export interface IngestSessionResult {
  sessionId: string;
  total: number;
  seconds: number;
}

function ingestSession(args: { db: string; transcript: string; projectPath: string }): IngestSessionResult {
  const services = openServices(args.db);
  const session = services.sessions.insert({ source: "external", projectPath: args.projectPath, name: "bench long session" });
  const started = nowMs();
  let batch: { raw: string }[] = [];
  forEachLine(args.transcript, (raw) => {
    batch.push({ raw });
    if (batch.length === 1000) {
      services.ingest.appendMessages(session.id, batch);
      batch = [];
    }
  });
  if (batch.length) services.ingest.appendMessages(session.id, batch);
  const seconds = (nowMs() - started) / 1000;
  const total = services.sessions.getRow(session.id).messageCount;
  services.db.close();
  return { sessionId: session.id, total, seconds };
}

await workerMain(ingestSession);
