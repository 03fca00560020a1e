import {
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from 'node:http2';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ResolvedHttpServerLimits } from '../config/http-server-limits';
import type { TlsCredentials } from './load-tls-credentials';
import type { WebSocketEndpoints } from './websocket/attach-websockets';
import { bindServer, connectionsCheckingIntervalMs, drainServer, type RunningServer } from './listener-support';

export interface SecureServerOptions {
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  port: number;
  host: string;
  onDrain: () => void;
  limits: ResolvedHttpServerLimits;
  credentials: TlsCredentials;
  /** GraphQL over WebSocket: upgrades arrive on the HTTP/1.1 connections. */
  attach?: (server: HttpServer) => WebSocketEndpoints;
}

type AnyResponse = ServerResponse | Http2ServerResponse;

interface Connections {
  readonly sessions: Set<Http2Session>;
  /** HTTP/1.1 connections and their requests in flight. */
  readonly http1: Map<Socket, number>;
  /** Destroys every session and socket (the forced end of a drain, or close()). */
  cutEverything(): void;
}

/** Every TCP socket, HTTP/2 session and HTTP/1.1 connection of `server`, for drain and close. */
function trackConnections(server: Http2SecureServer, isDraining: () => boolean): Connections {
  const sockets = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  const http1 = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    if (isDraining()) session.close();
  });
  server.on('secureConnection', (socket: Socket & { alpnProtocol?: string | false }) => {
    if (socket.alpnProtocol === 'h2') return;
    http1.set(socket, 0);
    socket.once('close', () => http1.delete(socket));
  });
  return {
    sessions,
    http1,
    cutEverything: () => {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    },
  };
}

/**
 * @whatwg-node/server writes `writeHead(status, statusText, headers)`; HTTP/2
 * has no status message and node warns about it on stderr. Drop the text.
 */
function withoutStatusMessage(res: Http2ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (status: number, headers?: unknown) => Http2ServerResponse;
  (res as { writeHead: (status: number, ...rest: unknown[]) => Http2ServerResponse }).writeHead = (status, ...rest) =>
    writeHead(status, typeof rest[0] === 'string' ? rest[1] : rest[0]);
}

/**
 * The TLS listener: node:http2's secure server with `allowHTTP1`, so ALPN
 * gives HTTP/2 to clients that offer it and HTTP/1.1 to the rest, on one
 * port. The BFF shortcuts of the plain listener run unchanged on node's HTTP/2
 * compatibility objects. node:http2 has no closeIdleConnections or
 * closeAllConnections, so connections are tracked here: a drain sends each
 * HTTP/2 session a GOAWAY (`session.close()`: open streams finish, new ones
 * are refused) and ends each HTTP/1.1 connection once it has no request in
 * flight. With `ca`, clients must present a certificate from it (or, with
 * `clientCertificates: 'request'`, may, and useAuth judges it).
 */
export function startSecureServer({
  handle,
  port,
  host,
  onDrain,
  limits,
  credentials,
  attach,
}: SecureServerOptions): Promise<RunningServer> {
  let draining = false;
  const inFlight = new Map<AnyResponse, Socket | undefined>();
  const { clientCertificates, ...pem } = credentials;
  const server = createSecureServer(
    {
      ...pem,
      allowHTTP1: true,
      // A client that never finishes the handshake is dropped like one that drips its headers.
      handshakeTimeout: limits.headersTimeoutMs,
      requestCert: credentials.ca !== undefined,
      // `request`: an unverified or missing certificate reaches useAuth({ clientCert }), which answers 401.
      rejectUnauthorized: credentials.ca !== undefined && clientCertificates !== 'request',
    },
    (req: IncomingMessage | Http2ServerRequest, res: AnyResponse) => {
      // HTTP/1.1 requests arrive as node:http objects on their own TLS socket; HTTP/2 ones as streams of a session.
      const socket = req.httpVersionMajor === 1 ? (req.socket as Socket) : undefined;
      const { http1 } = connections;
      inFlight.set(res, socket);
      if (socket) {
        http1.set(socket, (http1.get(socket) ?? 0) + 1);
        if (draining) res.setHeader('connection', 'close');
      } else withoutStatusMessage(res as Http2ServerResponse);
      res.once('close', () => {
        inFlight.delete(res);
        if (!socket) return;
        const left = (http1.get(socket) ?? 1) - 1;
        http1.set(socket, left);
        if (draining && left === 0) setImmediate(() => socket.end());
      });
      handle(req as IncomingMessage, res as ServerResponse);
    },
  );
  // node:http2 applies these to its HTTP/1.1 connections (allowHTTP1); HTTP/2 has no header phase to bound.
  Object.assign(server, {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: connectionsCheckingIntervalMs(limits),
  });
  server.maxConnections = limits.maxConnections;
  const connections = trackConnections(server, () => draining);
  const { sessions, http1 } = connections;
  // node:http2 emits 'upgrade' for its HTTP/1.1 connections, as node:http does.
  const websockets = attach?.(server as unknown as HttpServer);
  const cutEverything = () => {
    websockets?.terminate();
    connections.cutEverything();
  };
  const drain = (timeoutMs: number) =>
    drainServer(
      {
        server,
        websockets,
        begin: () => {
          draining = true;
          onDrain();
          for (const [res, socket] of inFlight) if (socket && !res.headersSent) res.setHeader('connection', 'close');
        },
        closeIdle: () => {
          for (const session of sessions) session.close();
          for (const [socket, requests] of http1) if (requests === 0) socket.end();
        },
        cutEverything,
      },
      timeoutMs,
    );
  return bindServer({ server, scheme: 'https', port, host, drain, cutEverything, websockets });
}
