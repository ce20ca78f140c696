#!/usr/bin/env node
// Refreshes apps/server/src/pricing/litellm-prices.json from LiteLLM's price list
// (`model_prices_and_context_window.json` in the BerriAI/litellm repository, MIT).
// Usage: node scripts/refresh-prices.mjs <path or http(s) URL of that file> [commit]
// Keeps the Anthropic models (litellm_provider "anthropic", ids without a route prefix) and the price fields
// the cost estimate uses; the commit (optional) is recorded as the origin.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [source, commit] = process.argv.slice(2);
if (!source) {
  console.error("usage: node scripts/refresh-prices.mjs <path or URL of model_prices_and_context_window.json> [commit]");
  process.exit(2);
}
const text = /^https?:\/\//.test(source) ? await (await fetch(source)).text() : readFileSync(source, "utf8");
const all = JSON.parse(text);
const FIELDS = [
  "input_cost_per_token",
  "output_cost_per_token",
  "cache_read_input_token_cost",
  "cache_creation_input_token_cost",
  "cache_creation_input_token_cost_above_1hr",
];
const models = {};
for (const [id, entry] of Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) {
  if (entry?.litellm_provider !== "anthropic" || id.includes("/") || typeof entry.input_cost_per_token !== "number") continue;
  models[id] = Object.fromEntries(FIELDS.filter((f) => typeof entry[f] === "number").map((f) => [f, entry[f]]));
}
const out = join(dirname(fileURLToPath(import.meta.url)), "..", "apps", "server", "src", "pricing", "litellm-prices.json");
const previous = JSON.parse(readFileSync(out, "utf8"));
const doc = {
  source: previous.source,
  commit: commit ?? "unknown",
  retrieved: new Date().toISOString().slice(0, 10),
  refresh: previous.refresh,
  models,
};
writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
console.log(`${Object.keys(models).length} models written to ${out}`);
