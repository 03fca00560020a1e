import WebSocket, { type ClientOptions } from 'ws';
import { createClient, type Client, type FormattedExecutionResult, type SubscribePayload } from 'graphql-ws';

type ExecutionResult = FormattedExecutionResult<Record<string, unknown>, unknown>;

export interface Closed {
  code: number;
  reason: string;
}

export const wsUrl = (httpUrl: string, bff: string) => `${httpUrl.replace(/^http/, 'ws')}/${bff}/graphql`;

/** A graphql-ws client (the library's own), connected at once, never retrying; `closed` settles with the close code. */
export function connectClient(
  httpUrl: string,
  bff: string,
  connectionParams?: Record<string, unknown>,
): { client: Client; closed: Promise<Closed>; connected: Promise<void> } {
  let onClosed!: (closed: Closed) => void;
  let onConnected!: () => void;
  const closed = new Promise<Closed>((done) => (onClosed = done));
  const connected = new Promise<void>((done) => (onConnected = done));
  const client = createClient({
    url: wsUrl(httpUrl, bff),
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: {
      connected: () => onConnected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  return { client, closed, connected };
}

export interface Subscription {
  readonly results: ExecutionResult[];
  /** Settles when the server completes the operation (or fails it with an `error` message). */
  readonly ended: Promise<{ error?: unknown }>;
  /** Resolves once `count` results have arrived. */
  received(count: number): Promise<ExecutionResult[]>;
  /** Sends `complete` for this operation. */
  unsubscribe(): void;
}

export function subscribe(client: Client, payload: SubscribePayload): Subscription {
  const results: ExecutionResult[] = [];
  const waiters: Array<{ count: number; done: (results: ExecutionResult[]) => void }> = [];
  let onEnded!: (outcome: { error?: unknown }) => void;
  const ended = new Promise<{ error?: unknown }>((done) => (onEnded = done));
  const unsubscribe = client.subscribe(payload, {
    next: (result) => {
      results.push(result);
      for (const waiter of waiters.filter((candidate) => results.length >= candidate.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.done(results);
      }
    },
    error: (error) => onEnded({ error }),
    complete: () => onEnded({}),
  });
  return {
    results,
    ended,
    received: (count) =>
      results.length >= count
        ? Promise.resolve(results)
        : new Promise((done) => waiters.push({ count, done: () => done(results) })),
    unsubscribe,
  };
}

/** A bare socket speaking the protocol by hand, for what a well-behaved client never sends. */
export interface RawSocket {
  readonly socket: WebSocket;
  send(message: unknown): void;
  /** The next message from the server, parsed. */
  next(): Promise<any>;
  readonly closed: Promise<Closed>;
}

export function openRaw(
  httpUrl: string,
  bff: string,
  options: ClientOptions & { protocols?: string[] } = {},
): Promise<RawSocket> {
  const { protocols = ['graphql-transport-ws'], ...clientOptions } = options;
  const socket = new WebSocket(wsUrl(httpUrl, bff), protocols, clientOptions);
  const queue: unknown[] = [];
  const waiting: Array<(message: unknown) => void> = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  const closed = new Promise<Closed>((done) =>
    socket.once('close', (code, reason) => done({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    socket.once('open', () =>
      resolve({
        socket,
        send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
        next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((done) => waiting.push(done))),
        closed,
      }),
    );
    socket.once('unexpected-response', (_request, response) =>
      reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode })),
    );
    socket.once('error', reject);
  });
}

/** Reads again until `passes` (or gives up and returns the last value): the backend sees a cancellation a moment after the gateway sends it. */
export async function eventually<T>(read: () => T, passes: (value: T) => boolean, attempts = 2_000): Promise<T> {
  let value = read();
  for (let tried = 0; !passes(value) && tried < attempts; tried++) {
    await new Promise((done) => setTimeout(done, 5));
    value = read();
  }
  return value;
}
