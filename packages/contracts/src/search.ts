import { z } from "zod";
import { Id, WireDate } from "./api.ts";

/** C0/C1 control characters other than tab, line feed and carriage return (those count as spaces). */
// eslint-disable-next-line no-control-regex -- the control characters a query must not contain
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/**
 * An FTS5 query: words (`deploy`), phrases (`"exit code 2"`), prefixes (`migrat*`), AND/OR/NOT, NEAR().
 * Control characters are rejected (they never occur in a real search and hint at a broken client); tabs
 * and line breaks are turned into spaces. 1..1000 characters after trimming.
 */
export const SearchQueryText = z
  .string()
  .refine((q) => !CONTROL_CHARACTERS.test(q), "must not contain control characters")
  .transform((q) => q.replace(/[\t\r\n]+/g, " ").trim())
  .pipe(z.string().min(1, "must not be empty").max(1000, "at most 1000 characters"));

const searchFilters = {
  projectPath: z.string().min(1).max(4096).optional(),
  sessionId: Id.optional(),
  /** A message type: `user`, `assistant`, `summary`, ... */
  type: z.string().min(1).max(100).optional(),
  /** Messages at or after this instant (the message's own timestamp, else when it was stored). */
  from: z.iso.datetime({ offset: true }).optional(),
  /** Messages before this instant. */
  to: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().min(1).max(200).optional(),
};

function fromNotAfterTo(v: { from?: string | undefined; to?: string | undefined }): boolean {
  return v.from === undefined || v.to === undefined || Date.parse(v.from) <= Date.parse(v.to);
}
const FROM_AFTER_TO = { message: "must not be after `to`", path: ["from"] };

export const SearchInput = z
  .object({ q: SearchQueryText, ...searchFilters, limit: z.number().int().min(1).max(100).default(20) })
  .refine(fromNotAfterTo, FROM_AFTER_TO);
/** `GET /api/v1/search`: the same fields as query-string parameters. */
export const SearchQuery = z
  .object({ q: SearchQueryText, ...searchFilters, limit: z.coerce.number().int().min(1).max(100).default(20) })
  .refine(fromNotAfterTo, FROM_AFTER_TO);
export type SearchInput = z.input<typeof SearchInput>;

/** A range of `snippet` to highlight, in UTF-16 code units (NSRange / JavaScript string indices). */
export const SearchHighlight = z.object({ start: z.number().int().min(0), length: z.number().int().min(1) });
export type SearchHighlight = z.infer<typeof SearchHighlight>;

export const SearchHit = z.object({
  sessionId: Id,
  sessionName: z.string().nullable(),
  projectPath: z.string().nullable(),
  messageId: Id,
  seq: z.number().int().positive(),
  type: z.string(),
  timestamp: WireDate.nullable(),
  /** Plain text around the matches (about 24 words), `…` where it was cut. */
  snippet: z.string(),
  highlights: z.array(SearchHighlight),
  /** bm25 relevance: lower is better (hits come best first). */
  rank: z.number(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchPage = z.object({
  items: z.array(SearchHit),
  total: z.number().int(),
  hasMore: z.boolean(),
  nextCursor: z.string().nullable(),
});
export type SearchPage = z.infer<typeof SearchPage>;

export const ExportFormat = z.enum(["jsonl", "markdown"]);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const ExportQuery = z.object({ format: ExportFormat.default("jsonl") });
