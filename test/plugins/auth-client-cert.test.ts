import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as http2Connect } from 'node:http2';
import type { Plugin } from 'graphql-yoga';
import WebSocket from 'ws';
import type { RunningBackend } from '../../demo/http-backend';
import { validateConfig } from '../../src/config/validate-config';
import { createGateway, type Gateway } from '../../src/server/create-gateway';
import { listen, type RunningServer } from '../../src/server/create-http-server';
import { useAuth } from '../../src/plugins/auth/use-auth';
import { createClientCertVerifier } from '../../src/plugins/auth/client-cert/create-client-cert-verifier';
import { startItemsBackend } from '../fixtures/ratelimit/items-backend';
import { createTestCertificates, type TestCertificates } from '../helpers/test-certificates';
import { REPO_ROOT } from '../helpers/test-gateway';

const QUERY = JSON.stringify({ query: '{ getItem(id: "1") { id name } }' });
const ANSWER = { data: { getItem: { id: '1', name: 'Item 1' } } };

interface Answer {
  status: number;
  body: unknown;
}
type Client = { cert: string; key: string } | undefined;

const pem = (client: Client) => (client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {});

function postHttp1(url: string, path: string, ca: Buffer, client: Client, headers = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, ca, ...pem(client), agent: false },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(body) }));
      },
    );
    req.on('error', reject);
    req.end(QUERY);
  });
}

function postHttp2(url: string, path: string, ca: Buffer, client: Client): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(url, { ca, ...pem(client) });
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
    let status = 0;
    let body = '';
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
    stream.on('end', () => {
      session.close();
      resolve({ status, body: JSON.parse(body) });
    });
    stream.on('error', reject);
    stream.end(QUERY);
  });
}

/** graphql-transport-ws by hand over wss: the messages received, and the close code. */
function overWss(
  url: string,
  path: string,
  ca: Buffer,
  client: Client,
): Promise<{ code: number; messages: unknown[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace('https:', 'wss:')}${path}`, 'graphql-transport-ws', {
      ca,
      ...pem(client),
    });
    const messages: unknown[] = [];
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      messages.push(message);
      if (message.type === 'connection_ack')
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: JSON.parse(QUERY) as unknown }));
      if (message.type === 'complete') socket.close(1000);
    });
    socket.on('close', (code) => resolve({ code, messages }));
  });
}

const refusal = (message: string) => ({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });

describe('useAuth clientCert: the verified TLS client certificate as the identity', () => {
  let certs: TestCertificates;
  let backend: RunningBackend;
  let gateway: Gateway;
  let server: RunningServer;
  let ca: Buffer;
  let gatewayClient: Client;
  let serviceClient: Client;

  beforeAll(async () => {
    certs = createTestCertificates();
    ca = readFileSync(certs.caCert);
    gatewayClient = { cert: certs.clientCert, key: certs.clientKey };
    serviceClient = { cert: certs.serviceCert, key: certs.serviceKey };
    backend = await startItemsBackend();
    const config = validateConfig(
      {
        sources: [
          {
            name: 'items',
            kind: 'openapi',
            spec: './test/fixtures/ratelimit/items/openapi.yaml',
            endpoint: backend.url,
          },
        ],
        bffs: {
          cert: './test/plugins/fixtures/client-cert-bff.ts',
          spiffe: './test/plugins/fixtures/client-cert-uri-bff.ts',
          open: './test/fixtures/bff/open.ts',
        },
        tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert, clientCertificates: 'request' },
      },
      'loom.config.ts',
      REPO_ROOT,
    );
    gateway = await createGateway({ config });
    server = await listen({ gateway }, 0);
  });
  afterAll(async () => {
    await server?.close();
    await gateway?.close();
    await backend?.close();
    certs?.remove();
  });
  beforeEach(() => backend.calls.reset());

  it('takes the subject CN as the identity and its scopes from config, over HTTP/1.1 and HTTP/2', async () => {
    expect(await postHttp1(server.url, '/cert/graphql', ca, gatewayClient)).toEqual({ status: 200, body: ANSWER });
    expect(await postHttp2(server.url, '/cert/graphql', ca, gatewayClient)).toEqual({ status: 200, body: ANSWER });
    // billing-service (OU=ops) is someone else: admin by its OU, but not a reader.
    const other = await postHttp1(server.url, '/cert/graphql', ca, serviceClient);
    expect(other).toEqual({
      status: 403,
      body: { errors: [{ message: 'A query requires scope(s): items:read', extensions: { code: 'FORBIDDEN' } }] },
    });
    expect(backend.calls.count('getItem')).toBe(2);
  });

  it('can name the caller by a subjectAltName instead (a SPIFFE URI)', async () => {
    expect(await postHttp2(server.url, '/spiffe/graphql', ca, serviceClient)).toEqual({ status: 200, body: ANSWER });
    // loom-gateway's certificate has no URI name at all.
    expect(await postHttp1(server.url, '/spiffe/graphql', ca, gatewayClient)).toEqual({
      status: 401,
      body: refusal('Client certificate has no uri name'),
    });
  });

  it('answers 401 UNAUTHENTICATED without a certificate, for one from another CA, and for an expired one', async () => {
    const cases: Array<[Client, string]> = [
      [undefined, 'Authentication required'],
      [
        { cert: certs.strangerCert, key: certs.strangerKey },
        'Client certificate not accepted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
      ],
      [{ cert: certs.expiredCert, key: certs.expiredKey }, 'Client certificate not accepted (CERT_HAS_EXPIRED)'],
    ];
    for (const [client, message] of cases) {
      expect(await postHttp1(server.url, '/cert/graphql', ca, client)).toEqual({ status: 401, body: refusal(message) });
      expect(await postHttp2(server.url, '/cert/graphql', ca, client)).toEqual({ status: 401, body: refusal(message) });
    }
    // With clientCertificates: 'request', a BFF without clientCert still serves clients without one.
    expect(await postHttp1(server.url, '/open/graphql', ca, undefined)).toEqual({ status: 200, body: ANSWER });
    expect(backend.calls.count('getItem')).toBe(1);
  });

  it('never takes a certificate from request headers (what a TLS-terminating proxy would forward)', async () => {
    const forged = {
      'x-client-cert': 'CN=loom-gateway',
      'x-ssl-client-s-dn': 'CN=loom-gateway',
      'x-forwarded-client-cert': 'Subject="CN=loom-gateway"',
    };
    expect(await postHttp1(server.url, '/cert/graphql', ca, undefined, forged)).toEqual({
      status: 401,
      body: refusal('Authentication required'),
    });
    expect(backend.calls.count('getItem')).toBe(0);
  });

  it('authenticates wss connections by the certificate too: ack and an answer, or close 4401', async () => {
    expect(await overWss(server.url, '/cert/graphql', ca, gatewayClient)).toEqual({
      code: 1000,
      messages: [{ type: 'connection_ack' }, { id: '1', type: 'next', payload: ANSWER }, { id: '1', type: 'complete' }],
    });
    expect((await overWss(server.url, '/cert/graphql', ca, undefined)).code).toBe(4401);
    expect(
      (await overWss(server.url, '/cert/graphql', ca, { cert: certs.expiredCert, key: certs.expiredKey })).code,
    ).toBe(4401);
    expect(backend.calls.count('getItem')).toBe(1);
  });

  it('fails at start-up on bad clientCert options', () => {
    expect(() => useAuth({ clientCert: { subjectFrom: 'ip' as never } })).toThrow('clientCert.subjectFrom');
    expect(() => useAuth({ clientCert: { scopesBySubject: { a: 'admin' as never } } })).toThrow(
      'clientCert.scopesBySubject.a',
    );
    expect(() => useAuth({ clientCert: { scopesByField: { 'O=x': {} } } })).toThrow('is not a subject attribute');
  });
});

describe("createClientCertVerifier (the identity from node's peer certificate)", () => {
  const socketWith = (certificate: object, authorized = true) => ({
    req: { socket: { getPeerCertificate: () => certificate, authorized, authorizationError: authorized ? null : 'X' } },
  });
  const service = {
    subject: { CN: 'billing-service', O: 'Loom', OU: ['ops', 'billing'] },
    subjectaltname: 'DNS:billing.internal, URI:spiffe://loom.test/billing, email:ops@loom.test',
    issuer: { CN: 'Loom Test CA' },
    fingerprint256: 'AB:CD',
    valid_to: 'Dec  1 00:00:00 2026 GMT',
  };

  it('maps subject, scopes by subject and by every value of a field, and keeps the names as claims', () => {
    const verify = createClientCertVerifier({
      scopesBySubject: { 'billing-service': ['orders:read'] },
      scopesByField: { OU: { ops: ['admin'], billing: ['invoices:write'] }, O: { Other: ['nope'] } },
    });
    expect(verify(socketWith(service))).toEqual({
      kind: 'clientCert',
      subject: 'billing-service',
      scopes: ['orders:read', 'admin', 'invoices:write'],
      claims: {
        subject: { CN: 'billing-service', O: 'Loom', OU: ['ops', 'billing'] },
        subjectAltNames: ['DNS:billing.internal', 'URI:spiffe://loom.test/billing', 'email:ops@loom.test'],
        issuer: 'Loom Test CA',
        fingerprint256: 'AB:CD',
        validTo: 'Dec  1 00:00:00 2026 GMT',
      },
    });
    expect(createClientCertVerifier({ subjectFrom: 'dns' })(socketWith(service))?.subject).toBe('billing.internal');
    expect(createClientCertVerifier({ subjectFrom: 'email' })(socketWith(service))?.subject).toBe('ops@loom.test');
  });

  it('sees no certificate on plain sockets or when none was sent, and refuses an unverified one', () => {
    const verify = createClientCertVerifier({});
    expect(verify(undefined)).toBeUndefined();
    expect(verify({ req: { socket: {} } })).toBeUndefined();
    expect(verify(socketWith({}))).toBeUndefined();
    expect(() => verify(socketWith(service, false))).toThrow('Client certificate not accepted (X)');
    expect(() => verify(socketWith({ subject: { O: 'Loom' }, fingerprint256: 'AB' }))).toThrow(
      'Client certificate has no subject CN',
    );
  });
});

// Compile-time: still a plain Yoga plugin.
const _typed: Plugin = useAuth({ clientCert: {} });
