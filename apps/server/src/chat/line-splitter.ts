const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines in linear time: each byte is scanned once, and a line that spans chunks is
 * kept as a list of chunks and joined once (never re-concatenated per chunk). A line longer than `maxLineBytes`
 * is not buffered: its bytes are dropped up to its newline and `onTooLong` is called once for it.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;

  constructor(
    private readonly maxLineBytes = Number.POSITIVE_INFINITY,
    private readonly onTooLong: (bytes: number) => void = () => undefined,
  ) {}

  /** The complete lines in this chunk (without `\n` / `\r\n`); blank lines are dropped. */
  push(chunk: Uint8Array | string): string[] {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const end = buffer.indexOf(NEWLINE, start);
      if (end < 0) break;
      if (this.skipping) this.skipping = false;
      else this.take(buffer.subarray(start, end), lines);
      start = end + 1;
    }
    if (start < buffer.length && !this.skipping) {
      const rest = buffer.subarray(start);
      if (this.pendingBytes + rest.length > this.maxLineBytes) {
        this.onTooLong(this.pendingBytes + rest.length);
        this.pending = [];
        this.pendingBytes = 0;
        this.skipping = true;
      } else {
        // Kept by reference: a stream's `data` chunks are fresh buffers, never reused.
        this.pending.push(rest);
        this.pendingBytes += rest.length;
      }
    }
    return lines;
  }

  /** A final line that had no newline. */
  flush(): string[] {
    const lines: string[] = [];
    if (!this.skipping) this.take(Buffer.alloc(0), lines);
    this.skipping = false;
    return lines;
  }

  private take(tail: Buffer, lines: string[]): void {
    if (this.pendingBytes + tail.length > this.maxLineBytes) {
      this.onTooLong(this.pendingBytes + tail.length);
    } else {
      const whole = this.pending.length === 0 ? tail : Buffer.concat([...this.pending, tail]);
      let line = whole.toString("utf8");
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line.trim() !== "") lines.push(line);
    }
    this.pending = [];
    this.pendingBytes = 0;
  }
}
