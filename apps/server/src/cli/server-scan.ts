import { ScanReport } from "@ils/contracts";
import type { ServerFile } from "../db/server-file.ts";

/** The server answered, but not with a report (wrong or missing token, an error): the CLI stops, saying why. */
export class ServerScanError extends Error {}

/** How long `ils sync` waits for the server's scan; a first import of a large folder takes minutes. */
const SCAN_TIMEOUT_MS = 30 * 60_000;

/**
 * Asks the running server to scan (`POST /api/v1/sessions/scan`, with ILS_TOKEN when set). Returns undefined
 * when the server cannot be reached at all (it died after writing its file): the caller then writes itself.
 */
export async function scanThroughServer(server: ServerFile, token: string | undefined): Promise<ScanReport | undefined> {
  let res: Response;
  try {
    res = await fetch(`${server.url}/api/v1/sessions/scan`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: "{}",
      signal: AbortSignal.timeout(SCAN_TIMEOUT_MS),
    });
  } catch (error) {
    if ((error as Error).name === "TimeoutError") throw new ServerScanError(`the server at ${server.url} did not finish the scan in time`);
    return undefined;
  }
  const body = (await res.json().catch(() => undefined)) as { data?: unknown; error?: { code?: string; message?: string } } | undefined;
  if (res.status === 401) {
    throw new ServerScanError(
      `the server at ${server.url} needs its token: set ILS_TOKEN (or use --direct to write the database from here)`,
    );
  }
  if (!res.ok || body?.data === undefined) {
    throw new ServerScanError(`the server at ${server.url} answered ${res.status}: ${body?.error?.message ?? "no scan report"}`);
  }
  return ScanReport.parse(body.data);
}
