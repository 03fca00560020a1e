import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql } from 'graphql';

/** What the upstream saw of one request. */
export interface SeenRequest {
  method: string;
  target: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** Subject CN of the client certificate (HTTPS with client certificates). */
  peer?: string;
}

export interface GuardedUpstream {
  url: string;
  seen(): SeenRequest[];
  close(): Promise<void>;
}

export interface GuardedUpstreamOptions {
  /** A refusal message (answered 401), or undefined to serve the request. */
  check(request: SeenRequest): string | undefined;
  /** HTTPS that requires a client certificate signed by `ca`. */
  tls?: { cert: Buffer; key: Buffer; ca: Buffer };
}

const schema = buildSchema('type Query { whoami: String, echo(text: String): String }');

/**
 * A GraphQL backend on 127.0.0.1 that refuses what `check` refuses with 401
 * and answers `whoami` with the credential it accepted (the Authorization
 * scheme and the client certificate's CN).
 */
export async function startGuardedUpstream(options: GuardedUpstreamOptions): Promise<GuardedUpstream> {
  const seen: SeenRequest[] = [];
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const socket = request.socket as TLSSocket;
      const peer =
        typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate()?.subject?.CN : undefined;
      const entry: SeenRequest = {
        method: request.method ?? '',
        target: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
        ...(peer && { peer: String(peer) }),
      };
      seen.push(entry);
      const refusal = options.check(entry);
      if (refusal) {
        response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        return response.end(JSON.stringify({ errors: [{ message: refusal }] }));
      }
      const { query, variables } = JSON.parse(entry.body.toString('utf8') || '{}');
      const scheme = String(request.headers.authorization ?? 'none').split(' ')[0];
      const result = await graphql({
        schema,
        source: query,
        variableValues: variables,
        rootValue: {
          whoami: () => `${scheme}${peer ? ` cn=${peer}` : ''}`,
          echo: ({ text }: { text: string }) => text,
        },
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(result));
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ ...options.tls, requestCert: true, rejectUnauthorized: true }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/graphql`,
    seen: () => [...seen],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
