import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenServer {
  url: string;
  /** Token requests received (each a real HTTP request). */
  calls(): number;
  /** The answer to the next requests: a token per call (`tok-1`, `tok-2`...) with this lifetime, or a failure. */
  answerWith(answer: { expiresIn: number } | { status: number; body: string }): void;
  /** Hold answers until `release()` (concurrency tests). */
  hold(): void;
  release(): void;
  /** Form bodies received. */
  forms(): URLSearchParams[];
  close(): Promise<void>;
}

/** A real OAuth2 token endpoint (client credentials grant) on 127.0.0.1 that checks HTTP Basic client authentication. */
export async function startTokenServer(clientId: string, clientSecret: string): Promise<TokenServer> {
  let issued = 0;
  let answer: { expiresIn: number } | { status: number; body: string } = { expiresIn: 3600 };
  let held: Array<() => void> | undefined;
  const forms: URLSearchParams[] = [];
  const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      forms.push(form);
      const respond = () => {
        if (request.headers.authorization !== expected || form.get('grant_type') !== 'client_credentials') {
          response.writeHead(401, { 'content-type': 'application/json' });
          return response.end('{"error":"invalid_client"}');
        }
        if ('status' in answer) {
          response.writeHead(answer.status, { 'content-type': 'application/json' });
          return response.end(answer.body);
        }
        response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        response.end(
          JSON.stringify({ access_token: `tok-${++issued}`, token_type: 'Bearer', expires_in: answer.expiresIn }),
        );
      };
      if (held) held.push(respond);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/oauth2/token`,
    calls: () => forms.length,
    answerWith: (next) => (answer = next),
    hold: () => (held = []),
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const respond of waiting) respond();
    },
    forms: () => [...forms],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
