import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Server as GraphqlWsServer } from 'graphql-ws';
import type { BffApp } from '../../bff/create-bff-app';
import type { ResolvedWebSocketOptions } from '../../bff/websocket/websocket-options';
import type { SubscriptionSlots } from '../../plugins/rate-limit/subscription-slots';
import type { Logger } from '../../core/logger';
import type { ConnectionState } from './create-graphql-ws-server';

/** The per-BFF parts every socket of that BFF shares. */
export interface BffSockets {
  readonly options: ResolvedWebSocketOptions;
  readonly protocol: GraphqlWsServer<{ state: ConnectionState }>;
  readonly identitySlots: SubscriptionSlots;
}

/** One open socket, as the listener drains or counts it. */
export interface OpenSocket {
  readonly socket: WebSocket;
  /** Completes the socket's operations, then closes it with 1001. */
  drain(): void;
}

export interface ServeSocketOptions {
  socket: WebSocket;
  upgrade: IncomingMessage;
  app: BffApp;
  sockets: BffSockets;
  logger: Logger;
  isDraining(): boolean;
  /** Called once, when the socket has closed and graphql-ws has finished with it. */
  onClosed(): void;
}

/** Sends every `keepAliveMs`; a socket that has not answered the previous ping by then is cut. */
function keepAlive(socket: WebSocket, intervalMs: number): () => void {
  let answered = true;
  socket.on('pong', () => (answered = true));
  const timer = setInterval(() => {
    if (!answered) return socket.terminate();
    answered = false;
    socket.ping();
  }, intervalMs);
  return () => clearInterval(timer);
}

/**
 * Runs graphql-ws on one `ws` socket. A send resolves when the network has
 * taken the message, so graphql-ws reads the next event of an operation only
 * then: a client that reads slowly holds one message per operation here, and
 * its upstream stream waits (gRPC flow control). One that stops reading
 * altogether stops answering pings and is cut; `maxBufferedBytes` bounds what
 * its operations together may queue.
 */
export function serveGraphqlWsSocket(options: ServeSocketOptions): OpenSocket {
  const { socket, upgrade, app, sockets, logger, isDraining } = options;
  const limits = sockets.options;
  let closing = false;
  const close = (code: number, reason: string) => {
    if (closing) return;
    closing = true;
    socket.close(code, reason);
  };
  const abortAll = () => {
    for (const operation of state.operations.values()) operation.controller.abort();
  };
  const state: ConnectionState = {
    app,
    upgrade,
    operations: new Map(),
    identitySlots: sockets.identitySlots,
    close,
    isDraining,
    onOperationEnd: () => {
      // Drained: the `complete` of the last operation is queued by now (graphql-ws sends it in
      // microtasks after the stream ends); the close frame goes after it.
      if (isDraining() && state.operations.size === 0) setImmediate(() => close(1001, 'Server shutting down'));
    },
  };
  const stopKeepAlive = keepAlive(socket, limits.keepAliveMs);

  const send = (data: string) =>
    new Promise<void>((resolve) => {
      if (socket.readyState !== socket.OPEN || closing) return resolve();
      if (socket.bufferedAmount > limits.maxBufferedBytes) {
        logger.warn({ bff: app.name, bufferedBytes: socket.bufferedAmount }, 'websocket: slow consumer dropped');
        close(1013, 'Slow consumer: too many unread messages');
        abortAll();
        // Its close frame waits behind the unread data: give it a moment, then cut the socket.
        setTimeout(() => socket.terminate(), 1_000).unref();
        return resolve();
      }
      socket.send(data, () => resolve());
    });

  const closed = sockets.protocol.opened(
    {
      protocol: socket.protocol,
      send,
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
    stopKeepAlive();
    abortAll();
    state.releaseIdentity?.();
    void closed(code, reason.toString()).finally(options.onClosed);
  });
  socket.on('error', (error) => logger.warn({ bff: app.name, err: error.message }, 'websocket error'));

  return {
    socket,
    drain() {
      if (state.operations.size === 0) return close(1001, 'Server shutting down');
      abortAll();
    },
  };
}
