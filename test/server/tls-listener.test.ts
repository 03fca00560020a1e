import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as http2Connect } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { connect as tlsConnect } from 'node:tls';
import { CallCounter } from '../../demo/call-counter';
import { sendJson, startHttpBackend, type RunningBackend } from '../../demo/http-backend';
import { validateConfig } from '../../src/config/validate-config';
import { ConfigError, StartupError } from '../../src/core/errors';
import { createGateway, type Gateway } from '../../src/server/create-gateway';
import { listen, type RunningServer } from '../../src/server/create-http-server';
import { loadTlsCredentials } from '../../src/server/load-tls-credentials';
import { startItemsBackend } from '../fixtures/ratelimit/items-backend';
import { createTestCertificates, type TestCertificates } from '../helpers/test-certificates';
import { REPO_ROOT } from '../helpers/test-gateway';

const QUERY = JSON.stringify({ query: '{ getItem(id: "1") { id name } }' });
const ANSWER = { data: { getItem: { id: '1', name: 'Item 1' } } };

/** The items backend, except that GET /items/:id answers only once `release()` is called. */
async function startHeldBackend() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrivedCount = 0;
  const waiters: Array<() => void> = [];
  const backend = await startHttpBackend(
    async (_req, res, url) => {
      const id = /^\/items\/([^/]+)$/.exec(url.pathname)?.[1];
      if (!id) return sendJson(res, 404, { message: 'no route' });
      arrivedCount++;
      for (const wake of waiters.splice(0)) wake();
      await released;
      sendJson(res, 200, { id, name: `Item ${id}` });
    },
    {},
    new CallCounter(),
    new Map(),
  );
  const arrived = async (count: number) => {
    while (arrivedCount < count) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { backend, arrived, release };
}

interface Answer {
  status: number;
  protocol: string;
  body: string;
}

interface ClientCertificate {
  cert?: string;
  key?: string;
}

/** POST over HTTPS/1.1 (ALPN offers only http/1.1), trusting the test CA. */
function postHttp1(url: string, certs: TestCertificates, client: ClientCertificate = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${url}/web/graphql`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ca: readFileSync(certs.caCert),
        ...(client.cert ? { cert: readFileSync(client.cert), key: readFileSync(client.key!) } : {}),
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, protocol: `HTTP/${res.httpVersion}`, body }));
      },
    );
    req.on('error', reject);
    req.end(QUERY);
  });
}

/** POST over HTTP/2 (ALPN h2), trusting the test CA. */
function postHttp2(url: string, certs: TestCertificates, client: ClientCertificate = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(url, {
      ca: readFileSync(certs.caCert),
      ...(client.cert ? { cert: readFileSync(client.cert), key: readFileSync(client.key!) } : {}),
    });
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': '/web/graphql', 'content-type': 'application/json' });
    let status = 0;
    let body = '';
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
    stream.on('end', () => {
      session.close();
      resolve({ status, protocol: session.alpnProtocol === 'h2' ? 'HTTP/2' : String(session.alpnProtocol), body });
    });
    stream.on('error', reject);
    stream.end(QUERY);
  });
}

describe('TLS on the client listener', () => {
  let certs: TestCertificates;
  let backend: RunningBackend;
  beforeAll(async () => {
    certs = createTestCertificates();
    backend = await startItemsBackend();
  });
  afterAll(() => backend?.close());

  const configWith = (tls: Record<string, string>, server?: Record<string, number>, endpoint = backend.url) =>
    validateConfig(
      {
        server,
        sources: [
          {
            name: 'items',
            kind: 'openapi',
            spec: './test/fixtures/ratelimit/items/openapi.yaml',
            endpoint,
          },
        ],
        bffs: { web: './test/fixtures/bff/open.ts' },
        tls,
      },
      'loom.config.ts',
      REPO_ROOT,
    );

  async function serveTls(
    tls: Record<string, string>,
    limits?: Record<string, number>,
    endpoint?: string,
  ): Promise<{ gateway: Gateway; server: RunningServer }> {
    const gateway = await createGateway({ config: configWith(tls, limits, endpoint) });
    return { gateway, server: await listen({ gateway }, 0) };
  }

  it('answers HTTP/2 and HTTP/1.1 on one port, by ALPN, and refuses plain HTTP', async () => {
    const { gateway, server } = await serveTls({ cert: certs.serverCert, key: certs.serverKey });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const overHttp2 = await postHttp2(server.url, certs);
      expect({ ...overHttp2, body: JSON.parse(overHttp2.body) }).toEqual({
        status: 200,
        protocol: 'HTTP/2',
        body: ANSWER,
      });
      const overHttp1 = await postHttp1(server.url, certs);
      expect({ ...overHttp1, body: JSON.parse(overHttp1.body) }).toEqual({
        status: 200,
        protocol: 'HTTP/1.1',
        body: ANSWER,
      });
      await expect(fetch(`${server.url.replace('https:', 'http:')}/healthz`)).rejects.toThrow('fetch failed');
    } finally {
      await server.close();
      await gateway.close();
    }
  });

  it('serves GraphQL over WebSocket (wss) on its HTTP/1.1 connections', async () => {
    const { gateway, server } = await serveTls({ cert: certs.serverCert, key: certs.serverKey });
    try {
      const socket = new WebSocket(`${server.url.replace('https:', 'wss:')}/web/graphql`, 'graphql-transport-ws', {
        ca: readFileSync(certs.caCert),
      });
      const messages: unknown[] = [];
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        messages.push(message);
        if (message.type === 'connection_ack')
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: JSON.parse(QUERY) as unknown }));
        if (message.type === 'complete') socket.close();
      });
      await closed;
      expect(messages).toEqual([
        { type: 'connection_ack' },
        { id: '1', type: 'next', payload: ANSWER },
        { id: '1', type: 'complete' },
      ]);
    } finally {
      await server.close();
      await gateway.close();
    }
  });

  it('with ca, asks for a client certificate: from the CA it passes, none or a stranger is refused', async () => {
    const { gateway, server } = await serveTls({ cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert });
    try {
      const client = { cert: certs.clientCert, key: certs.clientKey };
      expect((await postHttp2(server.url, certs, client)).status).toBe(200);
      expect((await postHttp1(server.url, certs, client)).status).toBe(200);
      await expect(postHttp1(server.url, certs)).rejects.toThrow();
      await expect(
        postHttp1(server.url, certs, { cert: certs.strangerCert, key: certs.strangerKey }),
      ).rejects.toThrow();
      await expect(postHttp2(server.url, certs)).rejects.toThrow();
    } finally {
      await server.close();
      await gateway.close();
    }
  });

  it('drains HTTP/2 sessions and HTTP/1.1 connections', async () => {
    const { gateway, server } = await serveTls({ cert: certs.serverCert, key: certs.serverKey });
    try {
      // An idle HTTP/2 session and a request answered on HTTP/1.1 keep connections open until the drain.
      const session = http2Connect(server.url, { ca: readFileSync(certs.caCert) });
      await new Promise((resolve) => session.once('connect', resolve));
      const goaway = new Promise((resolve) => session.once('goaway', resolve));
      expect((await postHttp1(server.url, certs)).status).toBe(200);
      expect(await server.drain(60_000)).toBe('drained');
      await goaway;
      expect(gateway.draining).toBe(true);
      session.destroy();
    } finally {
      await server.close();
      await gateway.close();
    }
  });

  it('lets an HTTP/2 and an HTTP/1.1 request in flight finish on a drain, and cuts them at the deadline', async () => {
    for (const deadlineMs of [60_000, 1]) {
      const held = await startHeldBackend();
      const { gateway, server } = await serveTls(
        { cert: certs.serverCert, key: certs.serverKey },
        undefined,
        held.backend.url,
      );
      try {
        const answers = [postHttp2(server.url, certs), postHttp1(server.url, certs)].map((answer) =>
          answer.then(
            // A destroyed HTTP/2 session may end its stream without an answer rather than fail it.
            ({ status, body }) => (body === '' ? 'cut' : { status, body: JSON.parse(body) as unknown }),
            () => 'cut',
          ),
        );
        await held.arrived(2);
        const drained = server.drain(deadlineMs);
        if (deadlineMs > 1) held.release();
        expect(await drained).toBe(deadlineMs > 1 ? 'drained' : 'forced');
        const expected = deadlineMs > 1 ? { status: 200, body: ANSWER } : 'cut';
        expect(await Promise.all(answers)).toEqual([expected, expected]);
      } finally {
        held.release();
        await server.close();
        await gateway.close();
        await held.backend.close();
      }
    }
  });

  it('drops a client that drips its headers (408) or never finishes the handshake', async () => {
    const { gateway, server } = await serveTls(
      { cert: certs.serverCert, key: certs.serverKey },
      { headersTimeoutMs: 300, requestTimeoutMs: 600 },
    );
    try {
      const dripping = tlsConnect({
        host: '127.0.0.1',
        port: server.port,
        ca: readFileSync(certs.caCert),
        ALPNProtocols: ['http/1.1'],
      });
      dripping.once('secureConnect', () => dripping.write('GET /healthz HTTP/1.1\r\nHost: loom\r\n'));
      let answer = '';
      dripping.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      await new Promise((resolve) => dripping.once('close', resolve));
      expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      // TCP only, no ClientHello: the server hangs up on its own.
      const silent = netConnect(server.port, '127.0.0.1');
      silent.on('error', () => undefined);
      await new Promise((resolve) => silent.once('close', resolve));
    } finally {
      await server.close();
      await gateway.close();
    }
  });

  it('names the file at fault, one line each', () => {
    mkdirSync(join(certs.dir, 'a-directory'), { recursive: true });
    writeFileSync(join(certs.dir, 'not-pem.key'), 'hello\n');
    expect(() => configWith({ cert: './missing/cert.pem', key: certs.serverKey, ca: '' })).toThrow(
      new ConfigError(
        'loom.config.ts: tls.ca must be the path of a PEM file, got ""\nloom.config.ts: tls.cert file ./missing/cert.pem not found',
      ),
    );
    const shown = (name: string) => ({ cert: certs.serverCert, key: certs.serverKey, [name]: '' });
    const load = (tls: { cert: string; key: string; ca?: string }) =>
      loadTlsCredentials({ ...tls, shown: { ...shown('none'), ...tls, key: tls.key.replace(certs.dir, '.') } });
    expect(() => load({ cert: certs.serverCert, key: join(certs.dir, 'a-directory') })).toThrow(
      new StartupError('cannot use TLS: tls.key ./a-directory: is a directory (EISDIR)'),
    );
    expect(() => load({ cert: certs.serverCert, key: join(certs.dir, 'not-pem.key') })).toThrow(
      /^cannot use TLS: tls\.key \.\/not-pem\.key is not a PEM private key \(/,
    );
    expect(() => load({ cert: certs.serverCert, key: certs.clientKey })).toThrow(
      /^cannot use TLS: tls\.key \.\/client\.key does not belong to tls\.cert .*server\.crt \(.*key values mismatch/,
    );
  });
});

describe('loom serve with tls (a real process)', () => {
  it('prints an https address, answers over TLS and stops on SIGTERM; a bad key is one line and exit 1', async () => {
    const certs = createTestCertificates();
    const backend = await startItemsBackend();
    const spec = JSON.stringify(join(REPO_ROOT, 'test/fixtures/ratelimit/items/openapi.yaml'));
    writeFileSync(join(certs.dir, 'bff.ts'), 'export default { policies: [] };\n');
    const writeConfig = (name: string, key: string) => {
      writeFileSync(
        join(certs.dir, name),
        `export default { sources: [{ name: 'items', kind: 'openapi', spec: ${spec}, endpoint: '${backend.url}' }], bffs: { web: './bff.ts' }, tls: { cert: './server.crt', key: '${key}' } };\n`,
      );
      return join(certs.dir, name);
    };
    writeFileSync(join(certs.dir, 'not-pem.key'), 'hello\n');
    const serve = (config: string) =>
      spawn(process.execPath, ['bin/loom.js', 'serve', '-q', '--config', config, '--port', '0'], {
        cwd: REPO_ROOT,
        env: { ...process.env, LOOM_LOG_LEVEL: 'warn' },
      });
    const good = serve(writeConfig('good.config.ts', './server.key'));
    const exited = new Promise<number | null>((resolve) => good.once('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        good.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /ready on (https:\/\/127\.0\.0\.1:\d+) /.exec(stdout);
          if (match) resolve(match[1]!);
        });
        void exited.then((code) => reject(new Error(`exited ${code}: ${stdout}`)));
      });
      expect(JSON.parse((await postHttp2(url, certs)).body)).toEqual(ANSWER);
      expect(JSON.parse((await postHttp1(url, certs)).body)).toEqual(ANSWER);
      good.kill('SIGTERM');
      expect(await exited).toBe(0);

      const bad = serve(writeConfig('bad.config.ts', './not-pem.key'));
      let stderr = '';
      bad.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      expect(await new Promise((resolve) => bad.once('exit', resolve))).toBe(1);
      expect(stderr).toMatch(/^loom: cannot use TLS: tls\.key \.\/not-pem\.key is not a PEM private key \([^\n]*\)\n$/);
    } finally {
      if (good.exitCode === null) good.kill('SIGKILL');
      await backend.close();
    }
  }, 60_000);
});
