// Discovery and incremental import of Claude Code's own transcripts (`~/.claude/projects`).
// Knows no database: the server implements `SyncSink`.
export { discoverTranscripts, type TranscriptFile, type TranscriptKind } from "./discovery/discover.ts";
export { readLines, readByteAt, DEFAULT_MAX_LINE_BYTES, type RawLine, type ReadResult } from "./reader/line-reader.ts";
export { parseLine, isBlank, type ParsedLine } from "./transcript/parse-line.ts";
export {
  SessionMetaCollector,
  nameFromText,
  usageOf,
  type SessionMeta,
  type SummaryLine,
  type TokenUsage,
} from "./transcript/session-meta.ts";
export { readUserText, stripAnsi, typedPrompt, userLineText, type UserText, type UserTextKind } from "./transcript/prompt-text.ts";
export { planRead, type FileState, type FileStat, type ReadPlan } from "./state/file-state.ts";
export { DeferFile, type SyncEntry, type SessionTarget, type SyncSink } from "./import/sink.ts";
export { TranscriptImporter, type ImporterOptions, type ScanProgress } from "./import/importer.ts";
