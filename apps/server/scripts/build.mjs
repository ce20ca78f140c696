#!/usr/bin/env node
// Bundles the server into dist/main.mjs for `pnpm start`: plain node then starts it in a few hundred ms,
// where compiling the TypeScript sources at every start (tsx) took over a second. npm dependencies stay
// external (resolved from node_modules); the workspace packages (TypeScript sources) are bundled in.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { tsImport } from "tsx/esm/api";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
// esbuild too: the dev server loads it to bundle the session browser on demand; the built server never does.
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

// The session browser at `/` (src/web): bundled now, so the built server only reads files (src/web/serve.ts).
const { bundleWebApp } = await tsImport("../src/web/bundle.ts", import.meta.url);
const webDir = join(root, "dist", "web-bundle");
rmSync(webDir, { recursive: true, force: true });
mkdirSync(webDir, { recursive: true });
for (const [name, body] of await bundleWebApp({ minify: true })) writeFileSync(join(webDir, name), body);
