import { IosErrorEnvelope, iosEnvelope } from "@ils/contracts/ios";
import { z } from "zod";
import { SERVER_VERSION } from "../version.ts";
import { API_PREFIX } from "./router.ts";
import type { RouteDef } from "./route.ts";

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12 (what OpenAPI 3.1 uses) for one zod schema, as a request (`input`) or a response (`output`). */
function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
  return rest;
}

function parametersOf(schema: z.ZodType | undefined, where: "path" | "query") {
  if (!schema || !(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const json = schemaOf(field, "input");
    const { description, ...fieldSchema } = json;
    return {
      name,
      in: where,
      required: where === "path" || !field.safeParse(undefined).success,
      schema: fieldSchema,
      ...(typeof description === "string" ? { description } : {}),
    };
  });
}

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } },
});

const ERROR_TEXT: Record<number, string> = {
  400: "invalid input: `error.details.issues` names each field",
  401: "a token is configured and the request did not present it",
  404: "unknown id",
  409: "conflict (e.g. the session already has a run in progress)",
  413: "body larger than 1 MB",
  500: "internal error (no details)",
};

/** The OpenAPI 3.1 document, generated from the same route table that validates requests. */
export function buildOpenApiDocument(routes: RouteDef[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const statuses = [...new Set([400, 401, ...(route.body ? [413] : []), ...(route.errors ?? []), 500])].sort();
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      parameters: [...parametersOf(route.params, "path"), ...parametersOf(route.query, "query")],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: {
                "application/json": {
                  schema: schemaOf(route.body, "input"),
                  ...(route.example !== undefined ? { example: route.example } : {}),
                },
              },
            },
          }
        : {}),
      responses: {
        "200": route.sse
          ? {
              description: "Server-Sent Events: each `data:` line is one JSON object of this schema",
              content: { "text/event-stream": { schema: schemaOf(route.response, "output") } },
            }
          : route.rawContentType
            ? {
                description: "the file itself (not enveloped)",
                content: { [route.rawContentType]: { schema: schemaOf(route.response, "output") } },
              }
            : {
                description: "success envelope",
                content: { "application/json": { schema: schemaOf(iosEnvelope(route.response), "output") } },
              },
        ...Object.fromEntries(statuses.map((s) => [String(s), errorResponse(ERROR_TEXT[s] ?? "error")])),
      },
    };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "ILS server REST API (iOS bridge)",
      version: SERVER_VERSION,
      description:
        "What the ILS iOS app calls, under /api/v1. Success: `{ success: true, data }`; errors: `{ success: false, error: { code, message, details? } }`. Dates are ISO-8601 UTC without fractional seconds; ids are UUIDs matched case-insensitively. `GET /health` (outside /api/v1) is open and bare.",
    },
    servers: [{ url: API_PREFIX }],
    security: [{ bearerAuth: [] }, {}],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { ErrorEnvelope: schemaOf(IosErrorEnvelope, "output") },
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "required when the server has ILS_TOKEN set" } },
    },
  };
}
