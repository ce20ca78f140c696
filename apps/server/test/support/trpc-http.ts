/** Minimal tRPC-over-HTTP calls with fetch (no transformer), so tests see real status codes and bodies. */
export interface TrpcResponse<T> {
  status: number;
  data?: T;
  error?: { message: string; data: { code: string; httpStatus: number; details?: unknown; path?: string } };
}

export async function trpcQuery<T>(url: string, path: string, input: unknown, token?: string): Promise<TrpcResponse<T>> {
  const res = await fetch(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: auth(token) });
  return unwrap<T>(res);
}

export async function trpcMutation<T>(url: string, path: string, input: unknown, token?: string): Promise<TrpcResponse<T>> {
  const res = await fetch(`${url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...auth(token) },
    body: JSON.stringify(input),
  });
  return unwrap<T>(res);
}

const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

async function unwrap<T>(res: Response): Promise<TrpcResponse<T>> {
  const body = (await res.json()) as { result?: { data: T }; error?: TrpcResponse<T>["error"] };
  return { status: res.status, data: body.result?.data, error: body.error };
}
