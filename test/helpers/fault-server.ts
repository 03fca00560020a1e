import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';

/** How the fault server answers a request. */
export type Fault =
  /** A normal JSON answer. */
  | { kind: 'json'; status?: number; body?: unknown }
  /** Any body as is (a crash page, an envelope). */
  | { kind: 'raw'; status?: number; body: string; contentType?: string }
  /** Headers at once, then one byte of body every `intervalMs`, never finishing. */
  | { kind: 'drip'; intervalMs: number; status?: number }
  /** The status line at once, then one byte of the headers every `intervalMs`, never finishing them. */
  | { kind: 'drip-headers'; intervalMs: number }
  /** A valid JSON array of about `bytes` bytes, streamed in chunks (no content-length). */
  | { kind: 'huge'; bytes: number; chunkBytes?: number }
  /** Headers and the start of a body, then the connection is destroyed. */
  | { kind: 'reset-mid-body'; status?: number }
  /** The connection is destroyed before any byte is sent. */
  | { kind: 'reset' }
  /** Accepts the request and never answers. */
  | { kind: 'black-hole' }
  /** Bytes that are not HTTP at all, then close. */
  | { kind: 'garbage' };

export interface FaultRequest {
  method: string;
  /** The request target exactly as it arrived (`/items/a%2Fb?x=1`). */
  rawPath: string;
  headers: IncomingMessage['headers'];
}

export interface FaultServer {
  readonly url: string;
  /** Every request received, in order. */
  readonly received: FaultRequest[];
  /** What every request gets from now on (or a function of the request). @default { kind: 'json' } */
  fault: Fault | ((request: FaultRequest) => Fault);
  close(): Promise<void>;
}

/**
 * A node:http server on 127.0.0.1:0 that misbehaves on command: drips,
 * resets (before or in the middle of the body), black-holes, sends garbage or
 * huge bodies. Timers and sockets are released on close.
 */
export async function startFaultServer(initial: FaultServer['fault'] = { kind: 'json' }): Promise<FaultServer> {
  const received: FaultRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const play = (fault: Fault, res: ServerResponse) => {
    switch (fault.kind) {
      case 'json': {
        const body = JSON.stringify(fault.body ?? { ok: true });
        res.writeHead(fault.status ?? 200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        });
        return void res.end(body);
      }
      case 'raw':
        res.writeHead(fault.status ?? 200, {
          'content-type': fault.contentType ?? 'text/html',
          'content-length': Buffer.byteLength(fault.body),
        });
        return void res.end(fault.body);
      case 'drip': {
        res.writeHead(fault.status ?? 200, { 'content-type': 'application/json' });
        res.write('[');
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), fault.intervalMs);
        return void timers.add(timer);
      }
      case 'drip-headers': {
        const socket = res.socket!;
        socket.write('HTTP/1.1 200 OK\r\nx-slow: ');
        const timer = setInterval(
          () => (socket.destroyed ? clearInterval(timer) : socket.write('a')),
          fault.intervalMs,
        );
        return void timers.add(timer);
      }
      case 'huge':
        return void streamHugeBody(res, fault.bytes, fault.chunkBytes ?? 64 * 1024);
      case 'reset-mid-body':
        res.writeHead(fault.status ?? 200, { 'content-type': 'application/json', 'content-length': 1000 });
        // Flush the headers and a partial body before the reset, so the client is mid-body.
        return void res.write('{"id":"1","name":"par', () => setImmediate(() => res.socket?.destroy()));
      case 'reset':
        return void res.socket?.destroy();
      case 'black-hole':
        return;
      case 'garbage':
        return void res.socket?.end('SSH-2.0-not-http\r\n\0\0\0');
    }
  };

  const server = createServer((req, res) => {
    const request: FaultRequest = { method: req.method ?? 'GET', rawPath: req.url ?? '/', headers: req.headers };
    received.push(request);
    req.resume();
    req.on('end', () => play(typeof backend.fault === 'function' ? backend.fault(request) : backend.fault, res));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const backend: FaultServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    fault: initial,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return backend;
}

/** Writes `[{"n":0,"pad":"xxx…"},…]` until about `bytes` bytes are out, honouring backpressure. */
function streamHugeBody(res: ServerResponse, bytes: number, chunkBytes: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  let sent = 0;
  let index = 0;
  const pad = 'x'.repeat(Math.max(1, chunkBytes - 32));
  const writeMore = () => {
    while (sent < bytes && !res.destroyed) {
      const chunk = `${index === 0 ? '[' : ','}{"n":${index++},"pad":"${pad}"}`;
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', writeMore);
    }
    if (!res.destroyed) res.end(']');
  };
  writeMore();
}
