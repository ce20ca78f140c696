import { join } from "node:path";
import { CORPUS_ROOT, FIXTURES } from "../support/paths.ts";
import { ensureCorpus, type CorpusMode } from "./generate.ts";

// `pnpm --filter @ils/bench corpus [--large] [--seed N] [--out DIR]`: writes (or reuses) a corpus and prints its manifest.
const args = process.argv.slice(2);
const mode: CorpusMode = args.includes("--large") ? "large" : "quick";
const seedAt = args.indexOf("--seed");
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 1;
const outAt = args.indexOf("--out");
const out = outAt >= 0 ? args[outAt + 1]! : join(CORPUS_ROOT, mode);
const manifest = ensureCorpus(out, mode, seed, FIXTURES, (m) => console.error(m));
console.log(JSON.stringify(manifest, null, 2));
