import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
export const FIXTURES = join(REPO_ROOT, "fixtures");

/**
 * The project root test servers get (ILS_PROJECT_ROOTS): tests put their project folders in temp folders, and
 * keep them out of the folder holding the database (the server's data folder is never a project directory).
 */
export const TEST_PROJECT_ROOTS = tmpdir();

/** A fresh folder under the OS temp dir, removed by the returned cleanup. */
export function tempDir(prefix = "ils-test-"): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
