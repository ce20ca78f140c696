import type { CorpusMode, Manifest } from "../corpus/generate.ts";

/** What every measure gets: the corpus, a scratch folder, and databases earlier measures built. */
export interface BenchContext {
  mode: CorpusMode;
  manifest: Manifest;
  workDir: string;
  /** Where chat runs happen: under the servers' project root, outside every database's folder (see support/server.ts). */
  projectDir: string;
  log(message: string): void;
  /** A database holding the corpus's long session, stored through ingest (paging, load). */
  paging?: { db: string; sessionId: string; total: number; transcript: string };
  /** The database the real sync imported the corpus into (search reads it). */
  syncDb?: string;
  /** The biggest database built so far (cold start opens it). */
  largestDb?: string;
}
