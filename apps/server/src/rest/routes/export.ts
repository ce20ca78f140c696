import { ExportQuery } from "@ils/contracts";
import { IosSessionIdParams } from "@ils/contracts/ios";
import { z } from "zod";
import { EXPORT_CONTENT_TYPE } from "../../export/export-service.ts";
import { writeChunk } from "../http-io.ts";
import { defineRoute, WRITTEN, type RouteDef } from "../route.ts";

export const exportRoutes: RouteDef[] = [
  defineRoute({
    method: "GET",
    path: "/sessions/{id}/export",
    operationId: "exportSession",
    tag: "search",
    summary: "The whole session as a file: JSONL (the stored lines, byte for byte) or a Markdown transcript",
    description:
      "Not enveloped: the body is the file itself, streamed (`application/x-ndjson` for `format=jsonl`, `text/markdown` for `format=markdown`), with a `content-disposition` file name. Errors before the first byte use the usual error envelope.",
    params: IosSessionIdParams,
    query: ExportQuery,
    response: z.string(),
    rawContentType: "application/x-ndjson",
    errors: [404],
    handle: async ({ params, query, services, res, signal }) => {
      // Throws NOT_FOUND before any header is sent.
      const chunks = services.exporter.stream(params.id, query.format);
      const extension = query.format === "jsonl" ? "jsonl" : "md";
      res.writeHead(200, {
        "content-type": EXPORT_CONTENT_TYPE[query.format],
        "content-disposition": `attachment; filename="session-${params.id}.${extension}"`,
      });
      for await (const chunk of chunks) {
        if (signal.aborted) break;
        await writeChunk(res, chunk);
      }
      res.end();
      return WRITTEN;
    },
  }),
];
