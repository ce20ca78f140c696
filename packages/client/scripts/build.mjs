#!/usr/bin/env node
// Builds the published form of @ils/client: dist/index.js (ESM, esbuild) and dist/index.d.ts (one declaration
// file, rollup-plugin-dts). The workspace packages it uses (@ils/contracts, and @ils/server for the router's
// *type*) are bundled in, since they are not published; npm dependencies stay imports. In the workspace the
// package still exports its TypeScript sources (package.json `exports`); `publishConfig` swaps in dist/ at pack.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { rollup } from "rollup";
import { dts } from "rollup-plugin-dts";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, "dist");
const entry = join(root, "src", "index.ts");
// What a user's npm install brings (package.json dependencies), plus Node's own modules.
const external = [/^@trpc\//, /^ws$/, /^zod($|\/)/, /^node:/];

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
