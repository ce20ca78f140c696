#!/usr/bin/env node
// Bundles the server into dist/main.mjs for `pnpm start`: plain node then starts it in a few hundred ms,
// where compiling the TypeScript sources at every start (tsx) took over a second. npm dependencies stay
// external (resolved from node_modules); the workspace packages (TypeScript sources) are bundled in.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
// esbuild too: the dev server loads it to bundle the session browser on demand (src/web/bundle.ts); a built server never does.
const external = [...Object.keys(pkg.dependencies).filter((name) => !name.startsWith("@ils/")), "esbuild"];

await build({
  entryPoints: [join(root, "src", "main.ts")],
  outfile: join(root, "dist", "main.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external,
  sourcemap: true,
  logLevel: "warning",
});
mkdirSync(join(root, "dist"), { recursive: true });
// Loaded by URL next to the bundle (worker thread); see src/db/checkpointer.ts.
copyFileSync(join(root, "src", "db", "checkpoint-worker.mjs"), join(root, "dist", "checkpoint-worker.mjs"));
// The session browser's files, beside the bundle (dist/web-bundle).
await import("./build-web.mjs");
