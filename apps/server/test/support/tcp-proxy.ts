import { createServer, connect, type Server, type Socket } from "node:net";

/** A TCP proxy whose connections the test can cut, like a phone losing its network. */
export async function tcpProxy(
  listenPort: number,
  targetPort: number,
): Promise<{ port: number; dropAll(): void; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const srv: Server = createServer((downstream) => {
    count += 1;
    const upstream = connect(targetPort, "127.0.0.1");
    for (const s of [downstream, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    downstream.on("close", () => upstream.destroy());
    upstream.on("close", () => downstream.destroy());
  });
  await new Promise<void>((resolve) => srv.listen(listenPort, "127.0.0.1", resolve));
  return {
    port: (srv.address() as { port: number }).port,
    dropAll: () => {
      for (const s of sockets) s.destroy();
    },
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
}
