import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { handleProtocols } from 'graphql-ws';
import type { BffApp } from '../../bff/create-bff-app';
import type { ResolvedWebSocketOptions } from '../../bff/websocket/websocket-options';
import { createSubscriptionSlots, type SubscriptionSlots } from '../../plugins/rate-limit/subscription-slots';
import type { Logger } from '../../core/logger';
import { findBffApp } from '../gateway-routes';
import { everyBffApp } from '../../bff/versions/create-versioned-bff-app';
import { createGraphqlWsServer } from './create-graphql-ws-server';
import { serveGraphqlWsSocket, type BffSockets, type OpenSocket } from './serve-graphql-ws-socket';

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

interface BffUpgrades extends BffSockets {
  /** The handshake, with this BFF's message size cap. */
  readonly handshake: WebSocketServer;
  readonly addressSlots: SubscriptionSlots;
}

/** Refuses an upgrade with a plain HTTP answer; the socket never becomes a WebSocket. */
function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function createBffUpgrades(options: ResolvedWebSocketOptions): BffUpgrades {
  return {
    options,
    protocol: createGraphqlWsServer(options.connectionInitTimeoutMs),
    // noServer: upgrades are routed here; maxPayload: a larger frame closes the socket with 1009 before it is buffered whole.
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
 * Wired to `ws` here rather than with graphql-ws's `useServer`, for what that
 * adapter leaves out: per-address caps at the upgrade, a per-BFF message size
 * cap, a bound on queued bytes, and a drain that completes operations.
 */
export function attachWebSockets({ server, bffs, logger }: AttachWebSocketsOptions): WebSocketEndpoints {
  const perBff = new Map<BffApp, BffUpgrades>();
  // Every version of a versioned BFF is an app of its own, with its own sockets.
  for (const app of everyBffApp(bffs.values())) if (app.websocket) perBff.set(app, createBffUpgrades(app.websocket));
  const open = new Set<OpenSocket>();
  const drainWaiters: Array<() => void> = [];
  let draining = false;
  const settleDrain = () => {
    if (open.size === 0) for (const done of drainWaiters.splice(0)) done();
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '/').split('?')[0];
    const header = (name: string) => {
      const value = request.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    };
    // Raw paths with dot segments or escapes are no endpoint here, as on the HTTP side.
    const app = path.includes('/.') || path.includes('%') ? undefined : findBffApp(bffs, path, header);
    const upgrades = app && (path === app.endpoint || app.aliases?.includes(path)) ? perBff.get(app) : undefined;
    if (!app || !upgrades) return refuseUpgrade(socket, 404, 'Not Found');
    if (draining) return refuseUpgrade(socket, 503, 'Service Unavailable');
    // Read now: node forgets a closed socket's address, and policies read it for every operation.
    const address = request.socket.remoteAddress ?? 'unknown';
    const release = upgrades.addressSlots.acquire(address);
    if (!release) return refuseUpgrade(socket, 429, 'Too Many Requests');
    // The TCP connection's end, whatever happens to the handshake.
    socket.once('close', release);
    upgrades.handshake.handleUpgrade(request, socket, head, (webSocket) => {
      const entry = serveGraphqlWsSocket({
        socket: webSocket,
        upgrade: request,
        app,
        sockets: upgrades,
        logger,
        isDraining: () => draining,
        onClosed: () => {
          open.delete(entry);
          settleDrain();
        },
      });
      open.add(entry);
    });
  });

  return {
    get openConnections() {
      return open.size;
    },
    drain: () =>
      new Promise<void>((done) => {
        draining = true;
        drainWaiters.push(done);
        for (const entry of open) entry.drain();
        settleDrain();
      }),
    terminate: () => {
      draining = true;
      for (const { socket } of open) socket.terminate();
    },
  };
}
