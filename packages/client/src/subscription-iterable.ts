/** What a tRPC `subscribe()` call needs from us, and what it returns. */
export interface SubscribeHandlers<T> {
  onData(value: T): void;
  onError(error: unknown): void;
  onComplete(): void;
}

/**
 * Turns a callback subscription into an async iterator. Values are buffered while the consumer is busy;
 * breaking out of the loop (or aborting `signal`) unsubscribes.
 */
export async function* subscriptionToIterable<T>(
  subscribe: (handlers: SubscribeHandlers<T>) => { unsubscribe(): void },
  signal?: AbortSignal,
): AsyncGenerator<T> {
  const queue: T[] = [];
  let failure: { error: unknown } | null = null;
  let done = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const subscription = subscribe({
    onData: (value) => {
      queue.push(value);
      notify();
    },
    onError: (error) => {
      failure = { error };
      notify();
    },
    onComplete: () => {
      done = true;
      notify();
    },
  });
  const onAbort = () => {
    done = true;
    notify();
  };
  signal?.addEventListener("abort", onAbort);
  try {
    for (;;) {
      if (signal?.aborted) return;
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (failure) throw (failure as { error: unknown }).error;
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    subscription.unsubscribe();
  }
}
