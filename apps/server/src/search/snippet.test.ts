import { describe, expect, it } from "vitest";
import { buildSnippet, queryPhrases, SNIPPET_WORDS } from "./snippet.ts";

/** The snippet builder alone: what it highlights must be what FTS5 matched. */
const marked = (text: string, q: string) => {
  const { snippet, highlights } = buildSnippet(text, queryPhrases(q));
  let out = snippet;
  for (const h of [...highlights].reverse())
    out = `${out.slice(0, h.start)}[${out.slice(h.start, h.start + h.length)}]${out.slice(h.start + h.length)}`;
  return out;
};

describe("search snippets", () => {
  it("reads words, phrases and prefixes out of an FTS5 query, dropping its operators", () => {
    expect(queryPhrases('deploy AND "exit code 2" OR migrat* NOT body:staging NEAR(alpha beta, 5) append_messages')).toEqual([
      { tokens: ["deploy"], prefix: false },
      { tokens: ["exit", "code", "2"], prefix: false },
      { tokens: ["migrat"], prefix: true },
      { tokens: ["staging"], prefix: false },
      { tokens: ["alpha"], prefix: false },
      { tokens: ["beta"], prefix: false },
      { tokens: ["append", "messages"], prefix: false },
    ]);
  });

  it("highlights words regardless of case and diacritics, phrases as one range, prefixes", () => {
    expect(marked("Le Café ouvre. CAFE fermé", "cafe")).toBe("Le [Café] ouvre. [CAFE] fermé");
    expect(marked("the exit code 2 was seen, exit 3 too", '"exit code 2"')).toBe("the [exit code 2] was seen, exit 3 too");
    expect(marked("Migration and migrating, not a migrant", "migrati*")).toBe("[Migration] and [migrating], not a migrant");
    expect(marked("see src/app.ts:12 and append_messages()", '"src/app.ts" append_messages')).toBe(
      "see [src/app.ts]:12 and [append_messages]()",
    );
  });

  it("cuts a long text around the first match, on one line", () => {
    const words = Array.from({ length: 5000 }, (_, i) => `w${i}`);
    words[3000] = "needle";
    const text = words.join(i18nBreaks());
    const { snippet, highlights } = buildSnippet(text, queryPhrases("needle"));
    expect(snippet.startsWith("…w2992 ")).toBe(true);
    expect(snippet.endsWith(" w3015…")).toBe(true);
    expect(snippet.split(" ")).toHaveLength(SNIPPET_WORDS);
    expect(snippet).not.toMatch(/\n/);
    expect(highlights).toEqual([{ start: snippet.indexOf("needle"), length: 6 }]);
  });

  it("skips look-alikes inside longer words and folds diacritics far into a text", () => {
    const filler = Array.from({ length: 400 }, (_, i) => `w${i}`).join(" ");
    expect(marked(`${filler} prerestart then restart`, "restart")).toMatch(/^…w39\d .* prerestart then \[restart\]$/);
    expect(marked(`${filler} au café`, "cafe")).toMatch(/ au \[café\]$/);
  });

  it("finds a match in the last words and shows the start when nothing matches", () => {
    expect(marked("one two three four", "four")).toBe("one two three [four]");
    expect(marked("one two three", '"two three"')).toBe("one [two three]");
    expect(marked("  leading space and more  ", "zebra")).toBe("leading space and more");
  });
});

/** Mixed line breaks and spaces between words, as in tool output. */
function i18nBreaks(): string {
  return " \n ";
}
