#!/usr/bin/env node
// Builds the published form of @ils/client: dist/index.js (ESM, esbuild) and dist/index.d.ts (one declaration
// file, rollup-plugin-dts). The workspace packages it uses (@ils/contracts, and @ils/server for the router's
// *type*) are bundled in, since they are not published; npm dependencies stay imports. In the workspace the
// package still exports its TypeScript sources (package.json `exports`); `publishConfig` swaps in dist/ at pack.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { rollup } from "rollup";
import { dts } from "rollup-plugin-dts";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, "dist");
const entry = join(root, "src", "index.ts");
// What a user's npm install brings (package.json dependencies), plus Node's own modules. pino and
// better-sqlite3 are the server's: see OPAQUE below.
const external = [/^@trpc\//, /^ws$/, /^zod($|\/)/, /^node:/, /^pino$/, /^better-sqlite3$/];
// The router's type carries its context (the server's services), where the server's database connection and
// logger appear. A client never sees the context, so those two types become opaque here instead of making
// every user install the server's pino and better-sqlite3 types. A new import from either fails the build.
const OPAQUE = {
  "import BetterSqlite3 from 'better-sqlite3';":
    "declare namespace BetterSqlite3 { interface Database {} } // the server's, opaque to clients",
  "import { Logger } from 'pino';": "interface Logger {} // the server's, opaque to clients",
};

rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: [entry],
  outfile: join(dist, "index.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["@trpc/*", "ws", "zod"],
  sourcemap: true,
  logLevel: "warning",
});
const types = await rollup({
  input: entry,
  external: (id) => external.some((pattern) => pattern.test(id)),
  plugins: [dts({ respectExternal: true, tsconfig: join(root, "tsconfig.build.json") })],
});
await types.write({ file: join(dist, "index.d.ts"), format: "es" });
await types.close();

const declarations = join(dist, "index.d.ts");
let text = readFileSync(declarations, "utf8");
for (const [line, replacement] of Object.entries(OPAQUE)) text = text.replace(line, replacement);
const leaked = text.split("\n").filter((line) => /from '(pino|better-sqlite3)'/.test(line));
if (leaked.length) throw new Error(`dist/index.d.ts imports server-only types; extend OPAQUE in scripts/build.mjs:\n${leaked.join("\n")}`);
writeFileSync(declarations, text);
