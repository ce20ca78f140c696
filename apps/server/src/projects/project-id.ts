import { createHash } from "node:crypto";

/** A stable UUID (v5 layout over SHA-1) for a project path: derived and registered projects of a path share it. */
export function projectIdFor(path: string): string {
  const hex = createHash("sha1").update(`ils-project:${path}`).digest("hex").slice(0, 32).split("");
  hex[12] = "5";
  hex[16] = ((parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Claude Code's folder name for a cwd: every character outside [A-Za-z0-9-] becomes `-`. */
export function encodeProjectPath(path: string): string {
  return path.replace(/[^A-Za-z0-9-]/g, "-");
}
