/**
 * Splits a byte stream into lines. A chunk may end mid-line (or mid UTF-8 character), so the tail is kept
 * until the next chunk; `flush()` returns a final line that had no newline.
 */
export class LineSplitter {
  private pending = "";
  private readonly decoder = new TextDecoder("utf-8");

  /** The complete lines in this chunk (without `\n` / `\r\n`); blank lines are dropped. */
  push(chunk: Uint8Array | string): string[] {
    const text = this.pending + (typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true }));
    const parts = text.split("\n");
    this.pending = parts.pop() ?? "";
    return parts.map(stripCr).filter((line) => line.trim() !== "");
  }

  flush(): string[] {
    const rest = stripCr(this.pending + this.decoder.decode());
    this.pending = "";
    return rest.trim() === "" ? [] : [rest];
  }
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
