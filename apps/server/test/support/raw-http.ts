import { request } from "node:http";
import WebSocket from "ws";

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One HTTP request exactly as given (node:http, so `Host` and `Origin` can be anything, as an attacker's
 * browser or a rebinding DNS name would send them); the body is sent as given, bytes included.
 */
export function rawRequest(
  baseUrl: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: opts.method ?? "GET", path: opts.path, headers: opts.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** A WebSocket upgrade with the given headers: the status the server answered (101 = a socket was opened). */
export function upgradeStatus(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; opened: boolean }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}${path}`, { headers });
    ws.once("open", () => {
      resolve({ status: 101, opened: true });
      ws.close();
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve({ status: res.statusCode ?? 0, opened: false });
      res.resume();
    });
    ws.once("error", (err) => (err.message.includes("Unexpected server response") ? undefined : reject(err)));
  });
}
