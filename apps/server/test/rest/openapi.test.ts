import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument, restRoutes } from "../../src/rest/index.ts";

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        requestBody?: { content: Record<string, { schema: object; example?: unknown }> };
        responses: Record<string, { content?: Record<string, unknown> }>;
      }
    >
  >;
};

const doc = buildOpenApiDocument(restRoutes) as unknown as Doc;

describe("the OpenAPI document", () => {
  it("validates against the OpenAPI 3.1 specification", async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(doc)) as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
  });

  it("is generated from the route table: every route, every method, once", () => {
    const operations = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(operations.sort()).toEqual(restRoutes.map((r) => r.operationId).sort());
    for (const route of restRoutes) expect(doc.paths[route.path]?.[route.method.toLowerCase()]).toBeDefined();
  });

  it("declares the SSE routes as text/event-stream and the rest as the envelope", () => {
    for (const route of restRoutes) {
      const ok = doc.paths[route.path]?.[route.method.toLowerCase()]?.responses["200"]?.content ?? {};
      if (route.sse) expect(Object.keys(ok)).toEqual(["text/event-stream"]);
      else if (!route.rawContentType) expect(Object.keys(ok)).toEqual(["application/json"]);
    }
  });

  it("every request example is valid against its own body schema", () => {
    const ajv = new Ajv2020({ strict: false });
    let checked = 0;
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item)) {
        const body = op.requestBody?.content["application/json"];
        if (body?.example === undefined) continue;
        expect(ajv.validate(body.schema, body.example), `${op.operationId}: ${ajv.errorsText()}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});
