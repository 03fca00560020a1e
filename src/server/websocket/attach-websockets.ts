import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { handleProtocols, type Server as GraphqlWsServer } from 'graphql-ws';
import type { BffApp } from '../../bff/create-bff-app';
import type { ResolvedWebSocketOptions } from '../../bff/websocket/websocket-options';
import { createSubscriptionSlots, type SubscriptionSlots } from '../../plugins/rate-limit/subscription-slots';
import type { Logger } from '../../core/logger';
import { findBffApp } from '../gateway-routes';
import { createGraphqlWsServer, type ConnectionState } from './create-graphql-ws-server';

/** The GraphQL-over-WebSocket side of one listener. */
export interface WebSocketEndpoints {
  /** Sockets open now, on every BFF. */
  readonly openConnections: number;
  /**
   * Graceful stop: refuses new sockets and operations, completes every
   * running operation (the client gets `complete` for each), then closes
   * each socket with 1001. Resolves once every socket has closed.
   */
  drain(): Promise<void>;
  /** Cuts every socket at once. */
  terminate(): void;
}

export interface AttachWebSocketsOptions {
  server: HttpServer;
  bffs: ReadonlyMap<string, BffApp>;
  logger: Logger;
}

/** The per-BFF parts: the protocol server, the handshake server (its message size cap) and the caps. */
interface BffSockets {
  readonly options: ResolvedWebSocketOptions;
  readonly protocol: GraphqlWsServer<{ state: ConnectionState }>;
  readonly handshake: WebSocketServer;
  readonly addressSlots: SubscriptionSlots;
  readonly identitySlots: SubscriptionSlots;
}

/** Refuses an upgrade with a plain HTTP answer; the socket never becomes a WebSocket. */
function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function createBffSockets(options: ResolvedWebSocketOptions): BffSockets {
  return {
    options,
    protocol: createGraphqlWsServer(options.connectionInitTimeoutMs),
    // noServer: the upgrade is routed here; maxPayload: a larger frame closes the socket with 1009 before it is buffered whole.
    handshake: new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxMessageBytes,
      handleProtocols: (protocols) => handleProtocols(protocols) || false,
    }),
    addressSlots: createSubscriptionSlots(options.maxConnectionsPerIp),
    identitySlots: createSubscriptionSlots(options.maxConnectionsPerIdentity),
  };
}

/**
 * GraphQL over WebSocket (graphql-ws) on every BFF endpoint of `server`,
 * beside SSE: an upgrade on /<bff>/graphql becomes a graphql-ws connection
 * whose operations each run through the BFF's Yoga app with every policy.
 * Hand-wired to `ws` (rather than graphql-ws's `useServer`) for what that
 * adapter leaves out: per-address caps at the upgrade, a slow-consumer limit,
 * a per-BFF message size cap, and a drain that completes operations.
 */
export function attachWebSockets({ server, bffs, logger }: AttachWebSocketsOptions): WebSocketEndpoints {
  const perBff = new Map<BffApp, BffSockets>();
  for (const app of bffs.values()) if (app.websocket) perBff.set(app, createBffSockets(app.websocket));
  const open = new Set<{ socket: WebSocket; state: ConnectionState; drain(): void }>();
  const closedWaiters = new Set<() => void>();
  let draining = false;

  const settleWaiters = () => {
    if (open.size > 0) return;
    for (const done of closedWaiters) done();
    closedWaiters.clear();
  };

  function serveSocket(socket: WebSocket, upgrade: IncomingMessage, app: BffApp, sockets: BffSockets): void {
    const { options } = sockets;
    let closing = false;
    const close = (code: number, reason: string) => {
      if (closing) return;
      closing = true;
      socket.close(code, reason);
    };
    const state: ConnectionState = {
      app,
      upgrade,
      operations: new Map(),
      identitySlots: sockets.identitySlots,
      close,
      isDraining: () => draining,
      onOperationEnd: () => {
        // Drained: the `complete` of the last operation is queued by now (graphql-ws sends it in
        // microtasks after the stream ends); the close frame goes after it.
        if (draining && state.operations.size === 0) setImmediate(() => close(1001, 'Server shutting down'));
      },
    };
    const entry = {
      socket,
      state,
      drain() {
        if (state.operations.size === 0) return close(1001, 'Server shutting down');
        for (const operation of state.operations.values()) operation.controller.abort();
      },
    };
    open.add(entry);

    let answeredPing = true;
    const keepAlive = setInterval(() => {
      if (!answeredPing) return socket.terminate();
      answeredPing = false;
      socket.ping();
    }, options.keepAliveMs);
    socket.on('pong', () => (answeredPing = true));

    const closed = sockets.protocol.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve) => {
            if (socket.readyState !== socket.OPEN || closing) return resolve();
            // A client that stops reading would otherwise make this process hold every event for it.
            if (socket.bufferedAmount > options.maxBufferedBytes) {
              logger.warn({ bff: app.name, bufferedBytes: socket.bufferedAmount }, 'websocket: slow consumer dropped');
              close(1013, 'Slow consumer: too many unread messages');
              for (const operation of state.operations.values()) operation.controller.abort();
              // Its close frame waits behind the unread data: give it a moment, then cut the socket.
              setTimeout(() => socket.terminate(), 1_000).unref();
              return resolve();
            }
            socket.send(data, () => resolve());
          }),
        close,
        onMessage: (deliver) =>
          socket.on('message', (data, isBinary) => {
            if (isBinary) return close(4400, 'Binary messages are not supported');
            deliver(String(data)).catch((error: unknown) => {
              logger.error({ bff: app.name, err: (error as Error).message }, 'websocket: message handling failed');
              close(4500, 'Internal server error');
            });
          }),
      },
      { state },
    );

    socket.once('close', (code, reason) => {
      clearInterval(keepAlive);
      for (const operation of state.operations.values()) operation.controller.abort();
      state.releaseIdentity?.();
      open.delete(entry);
      void closed(code, reason.toString()).finally(settleWaiters);
    });
    socket.on('error', (error) => logger.warn({ bff: app.name, err: error.message }, 'websocket error'));
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '/').split('?')[0];
    const app = findBffApp(bffs, path);
    const sockets = app && path === app.endpoint ? perBff.get(app) : undefined;
    if (!app || !sockets) return refuseUpgrade(socket, 404, 'Not Found');
    if (draining) return refuseUpgrade(socket, 503, 'Service Unavailable');
    // Read now: node forgets a destroyed socket's address, and policies read it after.
    const address = request.socket.remoteAddress ?? 'unknown';
    const release = sockets.addressSlots.acquire(address);
    if (!release) return refuseUpgrade(socket, 429, 'Too Many Requests');
    socket.once('close', release);
    sockets.handshake.handleUpgrade(request, socket, head, (webSocket) =>
      serveSocket(webSocket, request, app, sockets),
    );
  });

  return {
    get openConnections() {
      return open.size;
    },
    drain: () =>
      new Promise<void>((done) => {
        draining = true;
        closedWaiters.add(done);
        for (const entry of open) entry.drain();
        settleWaiters();
      }),
    terminate: () => {
      draining = true;
      for (const { socket } of open) socket.terminate();
    },
  };
}
