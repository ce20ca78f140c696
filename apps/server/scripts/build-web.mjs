#!/usr/bin/env node
// Bundles the session browser at `/` (src/web) into dist/web-bundle, so a built server only reads files
// (src/web/serve.ts). Run by build.mjs; the bundling itself is src/web/bundle.ts, the same code the dev server
// runs in memory, loaded here through tsx.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { bundleWebApp } = await tsImport("../src/web/bundle.ts", import.meta.url);
const webDir = join(root, "dist", "web-bundle");
rmSync(webDir, { recursive: true, force: true });
mkdirSync(webDir, { recursive: true });
for (const [name, body] of await bundleWebApp({ minify: true })) writeFileSync(join(webDir, name), body);
