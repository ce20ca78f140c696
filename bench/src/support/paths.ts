import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const FIXTURES = join(REPO_ROOT, "fixtures");
export const CORPUS_ROOT = join(REPO_ROOT, "bench", ".corpus");
export const SERVER_MAIN = join(REPO_ROOT, "apps", "server", "src", "main.ts");
export const SERVER_BUNDLE = join(REPO_ROOT, "apps", "server", "dist", "main.mjs");
export const SERVER_BUILD = join(REPO_ROOT, "apps", "server", "scripts", "build.mjs");
