import fs from "node:fs";
import { open } from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";

/**
 * Counts bytes read by JavaScript file reads in this process (FileHandle.read, fs.read, fs.readSync):
 * the transcript reads of a sync. SQLite's own page reads happen in C and are not counted, which is
 * the point (rchar from /proc counts both).
 */
export async function installReadCounter(): Promise<() => number> {
  let total = 0;
  const handle = await open(process.execPath, "r");
  const proto = Object.getPrototypeOf(handle) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> };
  await handle.close();
  const originalRead = proto.read;
  proto.read = async function (this: unknown, ...args: unknown[]) {
    const result = await originalRead.apply(this, args);
    total += result.bytesRead;
    return result;
  };
  const originalReadSync = fs.readSync;
  (fs as { readSync: unknown }).readSync = (...args: unknown[]) => {
    const n = (originalReadSync as (...a: unknown[]) => number)(...args);
    total += n;
    return n;
  };
  const originalReadCb = fs.read;
  (fs as { read: unknown }).read = (...args: unknown[]) => {
    const callback = args.at(-1);
    if (typeof callback === "function") {
      args[args.length - 1] = (error: unknown, n: number, buffer: unknown) => {
        if (!error) total += n;
        (callback as (...a: unknown[]) => void)(error, n, buffer);
      };
    }
    return (originalReadCb as (...a: unknown[]) => unknown)(...args);
  };
  syncBuiltinESMExports();
  return () => total;
}
