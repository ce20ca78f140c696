#!/usr/bin/env node
// Bundles the server (dist/main.mjs, for `pnpm start`) and the `ils` command (dist/ils.mjs, run by the package's bin/ils.mjs):
// plain node then starts in a few hundred ms, where compiling the TypeScript sources at every start (tsx) took
// over a second. npm dependencies stay external (resolved from node_modules, native better-sqlite3 included);
// the workspace packages (TypeScript sources) are bundled in. The migrations are copied beside the bundle
// (dist/prisma/migrations, found first by src/db/migrate.ts), so an installed package carries its own.
import { cpSync, copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = dirname(dirname(root));
const dist = join(root, "dist");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
// esbuild too: the dev server loads it to bundle the session browser on demand (src/web/bundle.ts); a built server never does.
const external = [...Object.keys(pkg.dependencies).filter((name) => !name.startsWith("@ils/")), "esbuild"];

await build({
  entryPoints: { main: join(root, "src", "main.ts"), ils: join(root, "src", "cli", "main.ts") },
  outdir: dist,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external,
  sourcemap: true,
  logLevel: "warning",
});
// Loaded by URL next to the bundle (worker thread); see src/db/checkpointer.ts.
copyFileSync(join(root, "src", "db", "checkpoint-worker.mjs"), join(dist, "checkpoint-worker.mjs"));
mkdirSync(join(dist, "prisma"), { recursive: true });
cpSync(join(repo, "prisma", "migrations"), join(dist, "prisma", "migrations"), { recursive: true });
// The session browser's files, beside the bundle (dist/web-bundle).
await import("./build-web.mjs");
