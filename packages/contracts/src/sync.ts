import { z } from "zod";

/** One transcript line that could not be stored (never stops a scan). */
export const MalformedLine = z.object({
  /** Path relative to `<claudeDir>/projects`. */
  file: z.string(),
  /** 1-based line number in the file. */
  line: z.number().int().positive(),
  reason: z.string(),
});
export type MalformedLine = z.infer<typeof MalformedLine>;

/** What one scan of `~/.claude/projects` did. */
export const ScanReport = z.object({
  /** Transcript files found. */
  files: z.number().int().nonnegative(),
  /** Files that had new bytes and were read. */
  filesRead: z.number().int().nonnegative(),
  bytesRead: z.number().int().nonnegative(),
  /** Non-blank complete lines read (imported + skipped + malformed). */
  lines: z.number().int().nonnegative(),
  /** Messages stored. */
  imported: z.number().int().nonnegative(),
  /** Valid lines already stored (duplicates by uuid or file position). */
  skipped: z.number().int().nonnegative(),
  malformed: z.object({
    count: z.number().int().nonnegative(),
    /** The first malformed lines (bounded). */
    lines: z.array(MalformedLine),
  }),
  /** Sessions whose transcript had new lines. */
  sessions: z.number().int().nonnegative(),
  sessionsCreated: z.number().int().nonnegative(),
  /** Files that could not be read this time (removed mid-scan, no permission, ...): retried next scan. */
  failedFiles: z.array(z.object({ file: z.string(), reason: z.string() })),
  /** New transcripts left for a later scan (a run the server started has not linked its Claude id yet). */
  deferred: z.number().int().nonnegative(),
  ms: z.number().nonnegative(),
});
export type ScanReport = z.infer<typeof ScanReport>;
