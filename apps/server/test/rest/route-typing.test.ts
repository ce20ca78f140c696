import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildOpenApiDocument } from "../../src/rest/openapi.ts";
import { defineRoute, WRITTEN } from "../../src/rest/route.ts";

// The compile-time half of this file is `pnpm typecheck`: each `@ts-expect-error` below fails typecheck the day
// `defineRoute` stops checking a handler's return against its route's response schema.
const Count = z.object({ count: z.number().int() });

describe("REST handlers are typed against their response schemas", () => {
  it("refuses at compile time a handler whose result is not the response schema's shape", () => {
    const wrong = defineRoute({
      method: "GET",
      path: "/count",
      operationId: "count",
      summary: "a count",
      tag: "test",
      response: Count,
      // @ts-expect-error `count` is a number in the response schema, not a string
      handle: async () => ({ count: "3" }),
    });
    const missing = defineRoute({
      method: "GET",
      path: "/count",
      operationId: "count",
      summary: "a count",
      tag: "test",
      response: Count,
      // @ts-expect-error the response schema requires `count`
      handle: async () => ({}),
    });
    // What the type check refused, the schema refuses too: the two describe the same shape.
    expect(wrong.response.safeParse({ count: "3" }).success).toBe(false);
    expect(missing.response.safeParse({}).success).toBe(false);
  });

  it("accepts the schema's shape, or WRITTEN for a handler that wrote the response itself", async () => {
    const ok = defineRoute({
      method: "GET",
      path: "/count",
      operationId: "count",
      summary: "a count",
      tag: "test",
      response: Count,
      handle: async () => ({ count: 3 }),
    });
    const streamed = defineRoute({
      method: "GET",
      path: "/file",
      operationId: "file",
      summary: "a file",
      tag: "test",
      response: z.string(),
      handle: async () => WRITTEN,
    });
    const ctx = {} as Parameters<typeof ok.handle>[0];
    expect(Count.parse(await ok.handle(ctx))).toEqual({ count: 3 });
    expect(await streamed.handle(ctx)).toBe(WRITTEN);
  });

  it("documents the response from the same schema object the handler is typed against", () => {
    const ok = defineRoute({
      method: "GET",
      path: "/count",
      operationId: "count",
      summary: "a count",
      tag: "test",
      response: Count,
      handle: async () => ({ count: 3 }),
    });
    const doc = buildOpenApiDocument([ok]) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content: Record<string, { schema: { properties: { data: unknown } } }> }> }>
      >;
    };
    const data = doc.paths["/count"]!.get!.responses["200"]!.content["application/json"]!.schema.properties.data;
    expect(data).toMatchObject({ type: "object", properties: { count: { type: "integer" } }, required: ["count"] });
  });
});
