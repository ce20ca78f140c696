import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** Buffered synchronous line writer: the corpus is streamed to disk, never held in memory. */
export class LineWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private buffered = 0;
  bytes = 0;
  lines = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, "w");
  }

  write(line: string): void {
    this.buffer.push(line, "\n");
    this.buffered += line.length + 1;
    this.lines += 1;
    if (this.buffered >= 4 * 1024 * 1024) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    this.bytes += writeSync(this.fd, this.buffer.join(""));
    this.buffer = [];
    this.buffered = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
