import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { KNOWN_STREAM_TYPES, parseStreamLine, StreamMessage, toStreamMessage } from "../src/index.ts";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/", import.meta.url));
const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));

// Every stream-json capture: third-party captures and the recordings of the real CLI 2.1.197.
const captures = [
  ...walk(join(FIXTURES, "stream-json")).filter((f) => /\.jsonl?$/.test(f)),
  ...walk(join(FIXTURES, "generated")).filter((f) => f.endsWith("stdout.jsonl")),
];
// HelgeSverre's PHP SDK stored each CLI line wrapped as {"timestamp": <secs>, "raw": <line>} (fixtures/FORMAT.md §5).
const unwrap = (file: string, value: unknown) => (file.includes("HelgeSverre") ? (value as { raw: unknown }).raw : value);

describe("StreamMessage on real captures", () => {
  it("finds the captures", () => {
    expect(captures.length).toBeGreaterThanOrEqual(50);
  });

  it("parses every line of every capture, none lost, every known type typed", () => {
    let lines = 0;
    const byType: Record<string, number> = {};
    for (const file of captures) {
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        lines += 1;
        const value = unwrap(file, JSON.parse(line));
        const message = toStreamMessage(value);
        byType[message.type] = (byType[message.type] ?? 0) + 1;
        if (message.type === "unknown") {
          throw new Error(`${relative(FIXTURES, file)}: ${message.reason}: ${line.slice(0, 200)}`);
        }
        // Loose schemas: nothing the CLI printed is stripped.
        expect(message).toEqual(value);
      }
    }
    const parsed = Object.values(byType).reduce((a, b) => a + b, 0);
    expect(parsed).toBe(lines);
    for (const type of KNOWN_STREAM_TYPES) expect(byType[type], type).toBeGreaterThan(0);
  });

  it("keeps every raw line of the recordings as is when parsed straight from the text", () => {
    const file = join(FIXTURES, "generated", "06-partial", "stdout.jsonl");
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
    const types = lines.map((l) => parseStreamLine(l).type);
    expect(types).not.toContain("unknown");
    expect(types.filter((t) => t === "stream_event").length).toBeGreaterThan(5);
  });
});

describe("unknown messages", () => {
  it("keeps an invented future type verbatim", () => {
    const future = { type: "hologram_frame", session_id: "s", frame: { depth: [1, 2, 3] }, uuid: "u-1" };
    const message = parseStreamLine(JSON.stringify(future));
    expect(message).toEqual({ type: "unknown", raw: future, reason: 'unknown type "hologram_frame"' });
    expect(StreamMessage.parse(message)).toEqual(message);
  });

  it("keeps a known type with a shape it does not understand", () => {
    const odd = { type: "assistant", message: "not an object" };
    const message = parseStreamLine(JSON.stringify(odd));
    expect(message.type).toBe("unknown");
    if (message.type === "unknown") {
      expect(message.raw).toEqual(odd);
      expect(message.reason).toContain("unexpected shape");
    }
  });

  it("keeps a line that is not JSON as its text", () => {
    expect(parseStreamLine("Error: something went wrong {")).toEqual({
      type: "unknown",
      raw: "Error: something went wrong {",
      reason: "not JSON",
    });
  });
});
