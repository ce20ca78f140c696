import type { SearchHighlight } from "@ils/contracts";

/**
 * Snippets are cut in JavaScript from the hit's text rather than by FTS5's snippet(): snippet() tokenizes
 * the whole message and scores windows around every match, which made a page of hits on long tool outputs
 * 10x slower than ranking them. Here the text is scanned only up to the first match plus the words after it.
 * Tokens follow unicode61 (letters, digits, private-use; case and diacritics folded), so what is
 * highlighted is what FTS5 matched, bar NEAR distances and NOT, which only decide whether a message matches.
 */

/** A word or a quoted phrase of the query, as folded tokens; `prefix` when its last token ended with `*`. */
export interface QueryPhrase {
  tokens: string[];
  prefix: boolean;
}

interface Token {
  start: number;
  end: number;
  folded: string;
}

/** Token characters of unicode61; a fresh RegExp per scan, since a global one carries `lastIndex` over. */
const tokenPattern = () => /[\p{L}\p{N}\p{Co}]+/gu;
const OPERATORS = new Set(["AND", "OR", "NOT", "NEAR"]);
/** Words shown before the first match; the snippet holds SNIPPET_WORDS words in all. */
const WORDS_BEFORE = 8;
export const SNIPPET_WORDS = 24;

function fold(token: string): string {
  const lower = token.toLowerCase();
  // remove_diacritics 2: `é` and `e` are the same letter.
  // eslint-disable-next-line no-control-regex -- matches the control characters it removes
  return /[^\u0000-\u007f]/.test(lower) ? lower.normalize("NFD").replace(/\p{M}/gu, "") : lower;
}

function tokensOf(text: string): string[] {
  return Array.from(text.matchAll(tokenPattern()), (m) => fold(m[0]));
}

/** The words and phrases of an FTS5 query (operators, column names, parentheses and NEAR distances dropped). */
export function queryPhrases(q: string): QueryPhrase[] {
  const phrases: QueryPhrase[] = [];
  const part = /"((?:[^"]|"")*)"(\*)?|([^\s"():^+*]+)(\*)?/g;
  for (const m of q.matchAll(part)) {
    const quoted = m[1];
    const bare = m[3];
    if (bare !== undefined) {
      if (OPERATORS.has(bare)) continue;
      if (q[m.index! + m[0].length] === ":") continue; // a column filter such as `body:`
      if (/^,?\d+$/.test(bare) && /NEAR\s*\(/.test(q.slice(0, m.index))) continue; // NEAR(a b, 5)
    }
    const tokens = tokensOf((quoted ?? bare ?? "").replace(/""/g, '"'));
    if (tokens.length > 0) phrases.push({ tokens, prefix: (m[2] ?? m[4]) === "*" });
  }
  return phrases;
}

/** Length in tokens of the phrase matching at `at`, or 0. */
function matchAt(tokens: Token[], at: number, phrase: QueryPhrase): number {
  const n = phrase.tokens.length;
  if (at + n > tokens.length) return 0;
  for (let i = 0; i < n; i++) {
    const want = phrase.tokens[i]!;
    const have = tokens[at + i]!.folded;
    const last = i === n - 1;
    if (!(have === want || (last && phrase.prefix && have.startsWith(want)))) return 0;
  }
  return n;
}

/** Characters read before the first candidate match: room for WORDS_BEFORE words of context. */
const LOOK_BACK = 320;

/** A one-line excerpt of `text` around the first match of the query, with the matches' ranges. */
export function buildSnippet(text: string, phrases: QueryPhrase[]): { snippet: string; highlights: SearchHighlight[] } {
  // Jump close to the first place a match can start (native lower-casing and indexOf), then tokenize from
  // there: long tool outputs are not tokenized up to their match. When lower-casing changes lengths or
  // only diacritic folding can explain the match, tokenize from the start.
  const candidate = firstCandidate(text, phrases);
  if (candidate > LOOK_BACK) {
    const cut = scan(text, candidate - LOOK_BACK, phrases);
    if (cut) return cut;
  }
  return scan(text, 0, phrases) ?? { snippet: "", highlights: [] };
}

function firstCandidate(text: string, phrases: QueryPhrase[]): number {
  const lower = text.toLowerCase();
  if (lower.length !== text.length) return 0;
  let first = -1;
  for (const phrase of phrases) {
    const at = lower.indexOf(phrase.tokens[0]!);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first < 0 ? 0 : first;
}

/** The snippet from tokens read from `startChar` on; undefined when reading mid-text found no match. */
function scan(text: string, startChar: number, phrases: QueryPhrase[]): { snippet: string; highlights: SearchHighlight[] } | undefined {
  const longest = Math.max(1, ...phrases.map((p) => p.tokens.length));
  const tokens: Token[] = [];
  let firstMatch = -1;
  let wanted = SNIPPET_WORDS;
  const pattern = tokenPattern();
  pattern.lastIndex = startChar;
  // Starting mid-text: the first token read may be the tail of a word, so it is dropped.
  let skipPartial = startChar > 0 && /[\p{L}\p{N}\p{Co}]/u.test(text[startChar - 1]!);
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (skipPartial) {
      skipPartial = false;
      if (m.index === startChar) continue;
    }
    tokens.push({ start: m.index, end: m.index + m[0].length, folded: fold(m[0]) });
    // Test the position whose phrases can now be complete.
    const at = tokens.length - longest;
    if (firstMatch < 0 && at >= 0 && phrases.some((p) => matchAt(tokens, at, p) > 0)) {
      firstMatch = at;
      wanted = Math.max(at, WORDS_BEFORE) - WORDS_BEFORE + SNIPPET_WORDS;
    }
    if (firstMatch >= 0 && tokens.length >= wanted + 1) break; // one more than shown: tells whether to add `…`
  }
  if (firstMatch < 0) {
    // Shorter phrases can still start in the last few tokens.
    for (let at = Math.max(0, tokens.length - longest + 1); at < tokens.length && firstMatch < 0; at++) {
      if (phrases.some((p) => matchAt(tokens, at, p) > 0)) firstMatch = at;
    }
  }
  if (firstMatch < 0 && startChar > 0) return undefined;
  if (tokens.length === 0) return { snippet: "", highlights: [] };
  const from = firstMatch < 0 ? 0 : Math.max(0, firstMatch - WORDS_BEFORE);
  const to = Math.min(tokens.length, from + SNIPPET_WORDS);
  const fromTextStart = from === 0 && startChar === 0;
  const startCharOfWindow = fromTextStart ? 0 : tokens[from]!.start;
  // Reading stopped one token past the window unless the text ran out: then keep its last characters too.
  const endChar = to === tokens.length ? text.length : tokens[to - 1]!.end;
  const highlights: SearchHighlight[] = [];
  for (let at = from; at < to;) {
    const length = Math.max(0, ...phrases.map((p) => matchAt(tokens, at, p)));
    if (length > 0 && at + length <= to) {
      highlights.push({ start: tokens[at]!.start - startCharOfWindow, length: tokens[at + length - 1]!.end - tokens[at]!.start });
      at += length;
    } else at += 1;
  }
  const body = text.slice(startCharOfWindow, endChar);
  const lead = fromTextStart ? "" : "…";
  const tail = to < tokens.length ? "…" : "";
  for (const h of highlights) h.start += lead.length;
  const snippet = collapseWhitespace(lead + body + tail, highlights);
  return { snippet: snippet.trim().length === snippet.length ? snippet : trimKeepingRanges(snippet, highlights), highlights };
}

/** Line breaks and runs of spaces make a poor one-line preview; ranges are shifted to match. */
function collapseWhitespace(text: string, highlights: SearchHighlight[]): string {
  const map: number[] = [];
  let out = "";
  let previousSpace = false;
  for (let i = 0; i < text.length; i++) {
    map.push(out.length);
    const char = text[i]!;
    const space = /\s/.test(char);
    if (space && previousSpace) continue;
    out += space ? " " : char;
    previousSpace = space;
  }
  map.push(out.length);
  for (const h of highlights) {
    const start = map[h.start]!;
    h.length = map[h.start + h.length]! - start;
    h.start = start;
  }
  return out;
}

function trimKeepingRanges(text: string, highlights: SearchHighlight[]): string {
  const leading = text.length - text.trimStart().length;
  for (const h of highlights) h.start -= leading;
  return text.trim();
}
