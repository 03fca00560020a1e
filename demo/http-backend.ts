import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CallCounter } from './call-counter';

export interface BackendListenOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

export interface RunningBackend {
  readonly url: string;
  readonly port: number;
  readonly calls: CallCounter;
  /** Headers of the last request each operation received (tests check forwarding). */
  readonly lastHeaders: Map<string, IncomingMessage['headers']>;
  /** The last request lines as they arrived, raw (`GET /products/a%2Fb`), newest last; tests check path encoding. */
  readonly requestLines: string[];
  close(): Promise<void>;
}

/** Request lines kept per backend: enough for a test, bounded for benchmarks. */
const KEPT_REQUEST_LINES = 100;

export type Fault = 'http-500' | 'garbage' | 'hang' | 'reset';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Plays a fault instead of the real answer; returns true when it did. */
export function playFault(fault: Fault | undefined, res: ServerResponse): boolean {
  switch (fault) {
    case undefined:
      return false;
    case 'http-500':
      sendJson(res, 500, { code: 'INTERNAL', message: 'backend exploded' });
      return true;
    case 'garbage':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>this is not json');
      return true;
    case 'hang':
      return true;
    case 'reset':
      res.socket?.destroy();
      return true;
  }
}

export function startHttpBackend(
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void,
  { port = 0, host = '127.0.0.1' }: BackendListenOptions,
  calls: CallCounter,
  lastHeaders: Map<string, IncomingMessage['headers']>,
): Promise<RunningBackend> {
  const requestLines: string[] = [];
  const server: Server = createServer((req, res) => {
    requestLines.push(`${req.method} ${req.url}`);
    if (requestLines.length > KEPT_REQUEST_LINES) requestLines.shift();
    const url = new URL(req.url ?? '/', `http://${host}`);
    Promise.resolve(handler(req, res, url)).catch((error: Error) =>
      sendJson(res, 500, { code: 'INTERNAL', message: error.message }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${address.port}`,
        port: address.port,
        calls,
        lastHeaders,
        requestLines,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
