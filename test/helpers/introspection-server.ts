import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the test authorization server answers one token. */
export type IntrospectionBehaviour =
  | { answer: Record<string, unknown> }
  | { status: number; body: string; contentType?: string }
  /** Never answers (until the server closes): a slow endpoint. */
  | { hang: true };

export interface IntrospectionServer {
  url: string;
  /** Introspection calls received so far (each one a real HTTP request). */
  calls(): number;
  /** Tokens received, in order. */
  tokens(): string[];
  set(token: string, behaviour: IntrospectionBehaviour): void;
  close(): Promise<void>;
}

/**
 * A real RFC 7662 introspection endpoint on 127.0.0.1: it checks Loom's client
 * credentials (HTTP Basic) and the form body, then answers per token; unknown
 * tokens are inactive.
 */
export async function startIntrospectionServer(clientId: string, clientSecret: string): Promise<IntrospectionServer> {
  const behaviours = new Map<string, IntrospectionBehaviour>();
  const received: string[] = [];
  const hanging = new Set<ServerResponse>();
  const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const token = form.get('token') ?? '';
      received.push(token);
      const json = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.method !== 'POST' || request.headers['content-type'] !== 'application/x-www-form-urlencoded')
        return json(400, { error: 'invalid_request' });
      if (request.headers.authorization !== expected) return json(401, { error: 'invalid_client' });
      const behaviour = behaviours.get(token) ?? { answer: { active: false } };
      if ('hang' in behaviour) {
        hanging.add(response);
        return;
      }
      if ('answer' in behaviour) return json(200, behaviour.answer);
      response.writeHead(behaviour.status, { 'content-type': behaviour.contentType ?? 'application/json' });
      response.end(behaviour.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/oauth2/introspect`,
    calls: () => received.length,
    tokens: () => [...received],
    set: (token, behaviour) => behaviours.set(token, behaviour),
    close: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
