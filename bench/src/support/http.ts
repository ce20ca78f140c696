import { nowMs } from "./stats.ts";

export interface Timed {
  ms: number;
  ok: boolean;
  items: number;
}

/** One GET, body read and parsed; `items` counts the page's messages (tRPC or REST shape). */
/** A tRPC answer, a REST envelope or a bare page: whichever holds `items`. */
type Page = { result?: { data?: Page }; data?: Page; items?: unknown } | null | undefined;

export async function timedGet(url: string): Promise<Timed> {
  const started = nowMs();
  try {
    const res = await fetch(url);
    const body = (await res.json()) as Page;
    const ms = nowMs() - started;
    const page = body?.result?.data ?? body?.data ?? body;
    const list = page?.items;
    const items = Array.isArray(list) ? list.length : 0;
    return { ms, ok: res.ok, items };
  } catch {
    return { ms: nowMs() - started, ok: false, items: 0 };
  }
}

export function trpcListUrl(base: string, input: Record<string, unknown>): string {
  return `${base}/trpc/messages.list?input=${encodeURIComponent(JSON.stringify(input))}`;
}

export function restListUrl(base: string, sessionId: string, offset: number, limit: number): string {
  return `${base}/api/v1/sessions/${sessionId}/messages?limit=${limit}&offset=${offset}`;
}
