import type { TokenUsage } from "@ils/sync";
import prices from "./litellm-prices.json" with { type: "json" };

/**
 * Per-token list prices (USD) of Claude models, a vendored copy of LiteLLM's price list (origin, commit and date
 * in litellm-prices.json; `node scripts/refresh-prices.mjs` rewrites it). A model the table does not know costs
 * 0 and is reported as unpriced: never guessed from a similar name.
 */
interface ModelPrice {
  input_cost_per_token: number;
  output_cost_per_token: number;
  cache_read_input_token_cost?: number;
  cache_creation_input_token_cost?: number;
  cache_creation_input_token_cost_above_1hr?: number;
}

const TABLE = prices.models as Record<string, ModelPrice>;

export interface CostEstimate {
  usd: number;
  /** Models with token usage that the table has no price for (their tokens are not counted in `usd`). */
  unpriced: string[];
}

/** The table's entry for a transcript's `message.model`: the exact id, or the id without an `anthropic/` prefix. */
export function priceOf(model: string): ModelPrice | undefined {
  return TABLE[model] ?? (model.startsWith("anthropic/") ? TABLE[model.slice("anthropic/".length)] : undefined);
}

/**
 * Cost of token usage per model: input, output, cache reads and cache writes each at their own price (1-hour
 * cache writes at the 1-hour price when the table has one). Long-context (above 200k tokens) prices are not applied.
 */
export function estimateCost(usageByModel: Map<string, TokenUsage>): CostEstimate {
  let usd = 0;
  const unpriced: string[] = [];
  for (const [model, u] of usageByModel) {
    const tokens = u.inputTokens + u.outputTokens + u.cacheReadInputTokens + u.cacheCreationInputTokens;
    // Claude Code's own error lines (`<synthetic>`) are not API calls.
    if (tokens === 0 || model === "<synthetic>") continue;
    const price = priceOf(model);
    if (!price) {
      unpriced.push(model || "(no model)");
      continue;
    }
    const oneHour = Math.min(u.cacheCreation1hInputTokens ?? 0, u.cacheCreationInputTokens);
    const write = price.cache_creation_input_token_cost ?? price.input_cost_per_token;
    const write1h = price.cache_creation_input_token_cost_above_1hr ?? write;
    usd +=
      u.inputTokens * price.input_cost_per_token +
      u.outputTokens * price.output_cost_per_token +
      u.cacheReadInputTokens * (price.cache_read_input_token_cost ?? price.input_cost_per_token) +
      (u.cacheCreationInputTokens - oneHour) * write +
      oneHour * write1h;
  }
  return { usd, unpriced: unpriced.sort() };
}
