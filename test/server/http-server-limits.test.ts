import { connect, type Socket } from 'node:net';
import { startOrdersBackend, type OrdersBackend } from '../../demo/orders-backend';
import { validateConfig } from '../../src/config/validate-config';
import { DEFAULT_HTTP_SERVER_LIMITS } from '../../src/config/http-server-limits';
import { REPO_ROOT, type TestGateway } from '../helpers/test-gateway';
import { startPingGateway } from '../helpers/ping-gateway';

interface RawConnection {
  readonly socket: Socket;
  /** Everything the server sent, once it closed the connection. */
  readonly closed: Promise<string>;
}

function openRaw(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    // The server may reset rather than close; either way the connection is gone.
    socket.on('error', () => undefined);
    const closed = new Promise<string>((done) => socket.once('close', () => done(received)));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** Writes `text` one byte at a time, one byte per tick of `everyMs`, until the server closes the socket (slowloris). */
function drip(connection: RawConnection, text: string, everyMs = 40): void {
  let offset = 0;
  const timer = setInterval(() => {
    if (connection.socket.destroyed || offset >= text.length) return;
    connection.socket.write(text[offset++]);
  }, everyMs);
  void connection.closed.then(() => clearInterval(timer));
}

const QUERY = JSON.stringify({ query: '{ ping { message } }' });

describe('the HTTP listener against slow clients (slowloris)', () => {
  let orders: OrdersBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    orders = await startOrdersBackend();
    gateway = await startPingGateway(orders, { headersTimeoutMs: 300, requestTimeoutMs: 600 });
  });
  afterAll(async () => {
    await gateway?.close();
    await orders?.close();
  });
  afterEach(() => orders.faults.clear());

  it('answers 408 and closes a connection that sends its headers one byte at a time', async () => {
    const connection = await openRaw(gateway.url);
    drip(
      connection,
      `POST /web/graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Padding: ${'a'.repeat(4000)}\r\n\r\n`,
    );
    const received = await connection.closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection that opens and sends nothing', async () => {
    const connection = await openRaw(gateway.url);
    expect(await connection.closed).toMatch(/^(HTTP\/1\.1 408 |)/);
  });

  it('closes a connection that sends its headers but drips the body', async () => {
    const connection = await openRaw(gateway.url);
    connection.socket.write(
      `POST /web/graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${QUERY.length + 4000}\r\n\r\n`,
    );
    drip(connection, QUERY + ' '.repeat(4000));
    const received = await connection.closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('keeps serving normal requests, and an SSE subscription outlives the request timeout', async () => {
    orders.faults.set('WatchOrders', 'hang');
    const controller = new AbortController();
    const stream = await fetch(`${gateway.url}/web/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { watchOrders(customerId: "") { orderId } }' }),
      signal: controller.signal,
    });
    try {
      expect(stream.status).toBe(200);
      // A slow client opened after the stream is closed by a sweep that has seen the stream for longer.
      const slow = await openRaw(gateway.url);
      drip(slow, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n'.padEnd(4000, 'x'));
      expect(await slow.closed).toMatch(/^HTTP\/1\.1 408 /);
      const { status, body } = await gateway.query('web', { query: '{ ping { message } }' });
      expect(status).toBe(200);
      expect(body).toEqual({ data: { ping: { message: 'pong' } } });
      // The stream is still open: had the sweep closed it, its end would be queued by now, after a full round trip.
      const reader = stream.body!.getReader();
      const ended = (async () => {
        for (;;) if ((await reader.read()).done) return true;
      })().catch(() => true);
      expect(await Promise.race([ended, new Promise<false>((done) => setImmediate(() => done(false)))])).toBe(false);
    } finally {
      controller.abort();
    }
  });
});

describe('the HTTP listener connection cap', () => {
  let orders: OrdersBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    orders = await startOrdersBackend();
    gateway = await startPingGateway(orders, { maxConnections: 2 });
  });
  afterAll(async () => {
    await gateway?.close();
    await orders?.close();
  });

  it('closes connections past maxConnections on arrival and accepts new ones once others leave', async () => {
    const held = [await openRaw(gateway.url), await openRaw(gateway.url)];
    // Both held connections are known to the server once each has been answered.
    for (const connection of held) {
      const answered = new Promise<void>((done) => connection.socket.once('data', () => done()));
      connection.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await answered;
    }
    const refused = await openRaw(gateway.url);
    refused.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await refused.closed).toBe('');

    held[0].socket.end();
    await held[0].closed;
    const admitted = await openRaw(gateway.url);
    const answer = new Promise<string>((done) =>
      admitted.socket.once('data', (chunk: Buffer) => done(chunk.toString('latin1'))),
    );
    admitted.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(await answer).toMatch(/^HTTP\/1\.1 200 /);
    held[1].socket.destroy();
    admitted.socket.destroy();
  });
});

describe('server limits in the config', () => {
  const base = {
    sources: [
      { name: 'orders', kind: 'grpc' as const, proto: './sources/orders/orders.proto', endpoint: '127.0.0.1:1' },
    ],
    bffs: { web: './test/fixtures/bff/open.ts' },
  };

  it('defaults to 10 s for headers, 30 s for the request and 1024 connections', () => {
    expect(validateConfig(base, 'mesh.config.ts', REPO_ROOT).server).toEqual(DEFAULT_HTTP_SERVER_LIMITS);
    expect(DEFAULT_HTTP_SERVER_LIMITS).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      maxConnections: 1024,
    });
  });

  it.each([
    [{ headersTimeoutMs: 0 }, 'mesh.config.ts: server.headersTimeoutMs must be a positive integer, got 0'],
    [{ maxConnections: 'many' }, 'mesh.config.ts: server.maxConnections must be a positive integer, got "many"'],
    [
      { headersTimeoutMs: 60_000 },
      'mesh.config.ts: server.headersTimeoutMs (60000) must not exceed server.requestTimeoutMs (30000)',
    ],
  ])('refuses %j at load', (server, message) => {
    expect(() => validateConfig({ ...base, server }, 'mesh.config.ts', REPO_ROOT)).toThrow(message);
  });
});
