import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * What the proxy does with a connection it accepts. The mode is read when a
 * connection arrives and kept for its lifetime: healing the proxy leaves
 * black-holed connections black-holed, as a stuck network path does.
 * - `forward`: pipes bytes both ways to the target.
 * - `blackhole`: accepts, reads and drops every byte, never answers nor closes.
 * - `reset`: accepts, then resets the connection at once.
 */
export type TcpProxyMode = 'forward' | 'blackhole' | 'reset';

export interface TcpFaultProxy {
  /** `127.0.0.1:<port>`, the form gRPC endpoints and Redis hosts take. */
  readonly address: string;
  readonly port: number;
  /** Mode for connections accepted from now on. */
  mode: TcpProxyMode;
  /** Connections accepted so far, by the mode they got. */
  readonly accepted: Readonly<Record<TcpProxyMode, number>>;
  /** Resolves once `count` connections have been accepted in `mode`, in total. */
  waitForConnections(mode: TcpProxyMode, count: number): Promise<void>;
  /** Resets every open connection (an HTTP client's pooled keep-alive sockets would otherwise keep the old mode). */
  resetOpenConnections(): void;
  /** Stops listening and destroys every open connection, both sides. */
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1:0 in front of `target` (`host:port`, or a URL whose host and port it takes), failing on command. */
export async function startTcpFaultProxy(target: string, mode: TcpProxyMode = 'forward'): Promise<TcpFaultProxy> {
  const { hostname: targetHost, port: targetPortText } = new URL(target.includes('://') ? target : `tcp://${target}`);
  const targetPort = Number(targetPortText);
  const sockets = new Set<Socket>();
  const accepted: Record<TcpProxyMode, number> = { forward: 0, blackhole: 0, reset: 0 };
  const waiters: Array<{ mode: TcpProxyMode; count: number; resolve: () => void }> = [];
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A peer's reset is part of the game, never an uncaught error.
    socket.on('error', () => undefined);
  };

  const server = createServer((client) => {
    track(client);
    const current = proxy.mode;
    accepted[current] += 1;
    for (const waiter of waiters.filter((entry) => entry.mode === current && accepted[current] >= entry.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (current === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (current === 'blackhole') {
      client.resume();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  const proxy: TcpFaultProxy = {
    address: `127.0.0.1:${port}`,
    port,
    mode,
    accepted,
    waitForConnections: (waitedMode, count) =>
      accepted[waitedMode] >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ mode: waitedMode, count, resolve })),
    resetOpenConnections: () => {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
