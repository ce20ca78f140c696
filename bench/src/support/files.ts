import { closeSync, openSync, readFileSync, readSync, readdirSync } from "node:fs";
import { join } from "node:path";

export function listTranscripts(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listTranscripts(path, out);
    else if (entry.name.endsWith(".jsonl")) out.push(path);
  }
  return out.sort();
}

/** Streams a file's lines in 8 MB chunks: a 1 GB transcript never sits in memory whole. */
export function forEachLine(path: string, onLine: (line: string, offset: number) => void): number {
  const fd = openSync(path, "r");
  const chunk = Buffer.allocUnsafe(8 * 1024 * 1024);
  let carry: Buffer = Buffer.alloc(0);
  let position = 0;
  let lineStart = 0;
  try {
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, position);
      if (read === 0) break;
      position += read;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        if (nl > start) onLine(data.toString("utf8", start, nl), lineStart);
        lineStart += nl + 1 - start;
        start = nl + 1;
      }
      carry = Buffer.from(data.subarray(start));
    }
    if (carry.length) onLine(carry.toString("utf8"), lineStart);
  } finally {
    closeSync(fd);
  }
  return position;
}

/** Bytes this process has read through read(2)-like calls so far (Linux; NaN elsewhere). */
export function bytesReadSoFar(): number {
  try {
    const match = /^rchar:\s+(\d+)/m.exec(readFileSync("/proc/self/io", "utf8"));
    return match ? Number(match[1]) : NaN;
  } catch {
    return NaN;
  }
}
