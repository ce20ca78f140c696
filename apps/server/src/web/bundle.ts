import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The page's sources: index.html, main.ts (and what it imports), styles.css. */
const APP_DIR = fileURLToPath(new URL("./app/", import.meta.url));

/** File name -> contents: `index.html`, `app.js`, `app.css`. */
export type WebBundle = Map<string, Buffer>;

/**
 * Bundles the session browser with esbuild into memory: @trpc/client and the page's code in one `app.js`, no
 * CDN, no runtime dependency. `scripts/build.mjs` writes the result next to the server bundle; the dev server
 * (tsx) calls this on the first request instead. esbuild is loaded lazily: it is a build tool, not needed
 * when serving a prebuilt bundle.
 */
export async function bundleWebApp(options: { minify?: boolean } = {}): Promise<WebBundle> {
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: { app: join(APP_DIR, "main.ts") },
    outdir: join(APP_DIR, "out"), // names the outputs only: nothing is written
    write: false,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: options.minify ?? false,
    legalComments: "none",
    logLevel: "silent",
  });
  const files: WebBundle = new Map([["index.html", await readFile(join(APP_DIR, "index.html"))]]);
  for (const file of result.outputFiles) files.set(basename(file.path), Buffer.from(file.contents));
  return files;
}
