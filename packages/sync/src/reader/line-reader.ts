import { isUtf8 } from "node:buffer";
import { open } from "node:fs/promises";

/** Claude Code writes single lines of a few hundred KB; anything this big is not a transcript line. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/** One complete line: `text` is undefined when the line is unusable (`problem` says why). */
export interface RawLine {
  text: string | undefined;
  problem: "invalid UTF-8" | "line too long" | undefined;
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just after its newline. */
  end: number;
}

export interface ReadResult {
  /** Offset after the last complete line (a partial last line is left for a later read). */
  end: number;
  bytesRead: number;
}

/**
 * Streams the newline-terminated lines of a file from `from`, in fixed 1 MB reads (never the whole file).
 * `onLine` is called synchronously per line; it may return a promise (awaited) to flush a batch.
 */
export async function readLines(
  path: string,
  from: number,
  onLine: (line: RawLine) => void | Promise<void>,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): Promise<ReadResult> {
  const handle = await open(path, "r");
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let position = from;
    let bytesRead = 0;
    let end = from;
    // Bytes of a line that began in an earlier chunk.
    let carry: Buffer[] = [];
    let carryBytes = 0;
    let carryStart = from;
    let oversize = false;
    for (;;) {
      const { bytesRead: n } = await handle.read(chunk, 0, CHUNK_BYTES, position);
      if (n === 0) break;
      bytesRead += n;
      let cursor = 0;
      for (;;) {
        const newline = chunk.indexOf(10, cursor);
        if (newline === -1 || newline >= n) break;
        const lineStart = carryBytes > 0 || oversize ? carryStart : position + cursor;
        const lineEnd = position + newline + 1;
        let line: RawLine;
        if (oversize || carryBytes + (newline - cursor) > maxLineBytes) {
          line = { text: undefined, problem: "line too long", start: lineStart, end: lineEnd };
        } else {
          const bytes = carryBytes > 0 ? Buffer.concat([...carry, chunk.subarray(cursor, newline)]) : chunk.subarray(cursor, newline);
          line = isUtf8(bytes)
            ? { text: bytes.toString("utf8"), problem: undefined, start: lineStart, end: lineEnd }
            : { text: undefined, problem: "invalid UTF-8", start: lineStart, end: lineEnd };
        }
        carry = [];
        carryBytes = 0;
        oversize = false;
        end = lineEnd;
        const pending = onLine(line);
        if (pending) await pending;
        cursor = newline + 1;
      }
      if (cursor < n) {
        if (carryBytes === 0 && !oversize) carryStart = position + cursor;
        const rest = n - cursor;
        if (oversize || carryBytes + rest > maxLineBytes) {
          // Keep counting towards the newline without holding the bytes.
          oversize = true;
          carry = [];
          carryBytes = 0;
        } else {
          carry.push(Buffer.from(chunk.subarray(cursor, n)));
          carryBytes += rest;
        }
      }
      position += n;
    }
    return { end, bytesRead };
  } finally {
    await handle.close();
  }
}

/** Reads one byte (to check that the byte before a saved offset is still the newline we stopped after). */
export async function readByteAt(path: string, offset: number): Promise<number | undefined> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(1);
    const { bytesRead } = await handle.read(buffer, 0, 1, offset);
    return bytesRead === 1 ? buffer[0] : undefined;
  } finally {
    await handle.close();
  }
}
