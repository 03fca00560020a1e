import { createHash, createHmac, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/core/logger';
import type { LoomConfig } from '../../../src/config/types';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway';
import { startGuardedUpstream, type GuardedUpstream, type SeenRequest } from '../../helpers/guarded-upstream';
import { startTokenServer, type TokenServer } from '../../helpers/token-server';
import { createTestCertificates, type TestCertificates } from '../../helpers/test-certificates';

const BFF = { web: './test/fixtures/bff/open.ts' };
const WHOAMI = { query: '{ whoami }' };

/** Secrets made per run and handed over through the environment, as an operator would. */
const BEARER = `bearer-${randomUUID()}`;
const HMAC_SECRET = `hmac-${randomUUID()}`;
const CLIENT_SECRET = `client-${randomUUID()}`;
const ENV_BEARER = `LOOM_TEST_BEARER_${process.pid}`;
const ENV_HMAC = `LOOM_TEST_HMAC_${process.pid}`;
const ENV_CLIENT = `LOOM_TEST_CLIENT_SECRET_${process.pid}`;

/** Log lines as text, to prove no secret is in them. */
function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  return { logger: createLogger({ destination, level: 'debug' }), text: () => lines.join('') };
}

/** The documented canonical string, written here again from the README, so the test checks the scheme and not the code. */
function verifyHmac(request: SeenRequest): string | undefined {
  const match = /^HMAC-SHA256 keyId="([^"]+)", nonce="([^"]+)", signature="([^"]+)"$/.exec(
    String(request.headers.authorization),
  );
  if (!match) return 'no HMAC authorization';
  const [, keyId, nonce, signature] = match;
  if (keyId !== 'loom-gw') return 'unknown key';
  const digest = createHash('sha256').update(request.body).digest('base64');
  if (request.headers['content-digest'] !== `sha-256=:${digest}:`) return 'digest mismatch';
  const date = String(request.headers.date);
  if (Math.abs(Date.parse(date) - Date.now()) > 300_000) return 'stale date';
  const canonical = ['HMAC-SHA256', request.method, request.target, date, nonce, digest].join('\n');
  const expected = createHmac('sha256', HMAC_SECRET).update(canonical).digest('base64');
  return expected === signature ? undefined : 'bad signature';
}

describe('upstream credentials per source, through a running gateway', () => {
  let certificates: TestCertificates;
  let sdlFile: string;
  let tokens: TokenServer;
  const revoked = new Set<string>();
  const upstreams: GuardedUpstream[] = [];
  const gateways: TestGateway[] = [];

  beforeAll(async () => {
    process.env[ENV_BEARER] = BEARER;
    process.env[ENV_HMAC] = HMAC_SECRET;
    process.env[ENV_CLIENT] = CLIENT_SECRET;
    certificates = createTestCertificates();
    // An SDL file spares a source its start-up introspection, for sources whose calls are meant to fail.
    sdlFile = join(certificates.dir, 'svc.graphql');
    writeFileSync(sdlFile, 'type Query { whoami: String, echo(text: String): String }');
    tokens = await startTokenServer('loom-gw', CLIENT_SECRET);
  });
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await Promise.all(upstreams.map((upstream) => upstream.close()));
    await tokens.close();
    certificates.remove();
    delete process.env[ENV_BEARER];
    delete process.env[ENV_HMAC];
    delete process.env[ENV_CLIENT];
  });

  async function upstream(check: (request: SeenRequest) => string | undefined, tls?: boolean) {
    const started = await startGuardedUpstream({
      check,
      ...(tls && {
        tls: {
          cert: certificates.read(certificates.serverCert),
          key: certificates.read(certificates.serverKey),
          ca: certificates.read(certificates.caCert),
        },
      }),
    });
    upstreams.push(started);
    return started;
  }
  async function gateway(source: LoomConfig['sources'][number], logger?: ReturnType<typeof capturedLogger>['logger']) {
    const started = await startTestGateway({ sources: [source], bffs: BFF }, undefined, logger);
    gateways.push(started);
    return started;
  }

  it('sends a static bearer from the environment (introspection included), and keeps it out of logs, errors and /readyz', async () => {
    const guarded = await upstream((request) =>
      request.headers.authorization === `Bearer ${BEARER}` ? undefined : 'bad token',
    );
    const logs = capturedLogger();
    const started = await gateway(
      { name: 'svc', kind: 'graphql', endpoint: guarded.url, credentials: { bearer: { env: ENV_BEARER } } },
      logs.logger,
    );
    expect((await started.query('web', WHOAMI)).body).toEqual({ data: { whoami: 'Bearer' } });
    // Start-up introspection and the query, both authenticated.
    expect(guarded.seen().map((request) => request.headers.authorization)).toEqual([
      `Bearer ${BEARER}`,
      `Bearer ${BEARER}`,
    ]);
    const readyz = await (await started.fetch('/readyz')).text();
    const failing = await gateway(
      {
        name: 'svc',
        kind: 'graphql',
        endpoint: guarded.url,
        sdl: sdlFile,
        credentials: { bearer: { env: ENV_HMAC } },
      },
      logs.logger,
    );
    const refused = await failing.query('web', WHOAMI);
    expect(refused.body.data?.whoami ?? null).toBeNull();
    expect(refused.body.errors?.[0].extensions?.source).toBe('svc');
    for (const text of [readyz, logs.text(), JSON.stringify(refused.body)]) {
      expect(text).not.toContain(BEARER);
      expect(text).not.toContain(HMAC_SECRET);
    }
  });

  it('reads a bearer from a file (a mounted secret), dropping its trailing newline', async () => {
    const file = join(certificates.dir, 'token');
    writeFileSync(file, `${BEARER}\n`);
    const guarded = await upstream((request) =>
      request.headers.authorization === `Bearer ${BEARER}` ? undefined : 'bad token',
    );
    const started = await gateway({
      name: 'svc',
      kind: 'graphql',
      endpoint: guarded.url,
      credentials: { bearer: { file } },
    });
    expect((await started.query('web', WHOAMI)).body).toEqual({ data: { whoami: 'Bearer' } });
  });

  it('fetches an OAuth2 token once, reuses it, and fetches a new one after the upstream refuses it', async () => {
    const before = tokens.calls();
    const guarded = await upstream((request) => {
      const token = /^Bearer (tok-\d+)$/.exec(String(request.headers.authorization))?.[1];
      return token && !revoked.has(token) ? undefined : 'invalid token';
    });
    const started = await gateway({
      name: 'svc',
      kind: 'graphql',
      endpoint: guarded.url,
      credentials: {
        oauth2: { tokenUrl: tokens.url, clientId: 'loom-gw', clientSecret: { env: ENV_CLIENT }, scopes: ['svc:read'] },
      },
    });
    for (let call = 0; call < 3; call++)
      expect((await started.query('web', WHOAMI)).body.data).toEqual({ whoami: 'Bearer' });
    expect(tokens.calls()).toBe(before + 1);
    const first = String(guarded.seen().at(-1)?.headers.authorization).slice('Bearer '.length);
    revoked.add(first);
    const refused = await started.query('web', WHOAMI);
    expect(refused.body.data?.whoami ?? null).toBeNull();
    expect(refused.body.errors?.[0].extensions?.source).toBe('svc');
    expect((await started.query('web', WHOAMI)).body.data).toEqual({ whoami: 'Bearer' });
    expect(tokens.calls()).toBe(before + 2);
    expect(guarded.seen().at(-1)?.headers.authorization).not.toBe(`Bearer ${first}`);
  });

  it('answers UPSTREAM_UNAVAILABLE without calling the upstream when no token can be had', async () => {
    const guarded = await upstream(() => undefined);
    const started = await gateway({
      name: 'svc',
      kind: 'graphql',
      endpoint: guarded.url,
      sdl: sdlFile,
      credentials: { oauth2: { tokenUrl: tokens.url, clientId: 'someone-else', clientSecret: { env: ENV_CLIENT } } },
    });
    const { body } = await started.query('web', WHOAMI);
    expect(body.errors?.[0]).toMatchObject({
      message: 'Source "svc" is unavailable: could not obtain an OAuth2 token: the token endpoint answered HTTP 401',
      extensions: { code: 'UPSTREAM_UNAVAILABLE', source: 'svc' },
    });
    expect(guarded.seen()).toHaveLength(0);
  });

  it('signs every request with HMAC over method, target, date, nonce and body digest', async () => {
    const guarded = await upstream(verifyHmac);
    const started = await gateway({
      name: 'svc',
      kind: 'graphql',
      endpoint: guarded.url,
      credentials: { hmac: { keyId: 'loom-gw', secret: { env: ENV_HMAC } } },
    });
    expect((await started.query('web', { query: '{ echo(text: "ünï ✓") }' })).body).toEqual({
      data: { echo: 'ünï ✓' },
    });
    expect((await started.query('web', WHOAMI)).body).toEqual({ data: { whoami: 'HMAC-SHA256' } });
    const nonces = guarded.seen().map((request) => /nonce="([^"]+)"/.exec(String(request.headers.authorization))?.[1]);
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it('presents a client certificate to an HTTPS upstream that requires one (mTLS)', async () => {
    const guarded = await upstream(() => undefined, true);
    const started = await gateway({
      name: 'svc',
      kind: 'graphql',
      endpoint: guarded.url,
      credentials: { tls: { ca: certificates.caCert, cert: certificates.clientCert, key: certificates.clientKey } },
    });
    expect((await started.query('web', WHOAMI)).body).toEqual({ data: { whoami: 'none cn=loom-gateway' } });
    const stranger = await gateway({
      name: 'svc',
      kind: 'graphql',
      endpoint: guarded.url,
      sdl: sdlFile,
      credentials: { tls: { ca: certificates.caCert, cert: certificates.strangerCert, key: certificates.strangerKey } },
    });
    const refused = await stranger.query('web', WHOAMI);
    expect(refused.body.errors?.[0].extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(guarded.seen().every((request) => request.peer === 'loom-gateway')).toBe(true);
  });

  it.each([
    [
      { bearer: 'literal-secret' },
      "credentials.bearer must be { env: 'VAR' } or { file: './path' } (secrets never sit in the config)",
    ],
    [
      { bearer: { env: 'A' }, hmac: { keyId: 'k', secret: { env: 'B' } } },
      'source "svc": credentials give at most one of bearer, oauth2, hmac (got bearer, hmac)',
    ],
    [
      { oauth2: { tokenUrl: 'ftp://x', clientId: 'c', clientSecret: { env: 'A' } } },
      'source "svc": credentials.oauth2.tokenUrl must be an http(s) URL',
    ],
    [
      { oauth2: { tokenUrl: 'http://127.0.0.1:1/t', clientId: 'c', clientSecret: 'literal-secret' } },
      'credentials.oauth2.clientSecret must be',
    ],
    [{ tls: { cert: './c.pem' } }, 'source "svc": credentials.tls give cert and key together'],
    [{ bearer: { env: 'A', value: 'literal-secret' } }, 'credentials.bearer must be'],
  ])('refuses bad credentials at load without echoing a secret: %j', async (credentials, message) => {
    const error = await startTestGateway({
      sources: [
        {
          name: 'svc',
          kind: 'graphql',
          endpoint: 'http://127.0.0.1:1/graphql',
          sdl: sdlFile,
          credentials: credentials as never,
        },
      ],
      bffs: BFF,
    }).catch((caught: Error) => caught);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('literal-secret');
  });

  it('names the variable, never a value, when a secret is missing', async () => {
    const error = await startTestGateway({
      sources: [
        {
          name: 'svc',
          kind: 'graphql',
          endpoint: 'http://127.0.0.1:1/graphql',
          sdl: sdlFile,
          credentials: { bearer: { env: 'LOOM_TEST_NOT_SET_ANYWHERE' } },
        },
      ],
      bffs: BFF,
    }).catch((caught: Error) => caught);
    expect((error as Error).message).toBe(
      'source "svc" credentials.bearer: environment variable LOOM_TEST_NOT_SET_ANYWHERE is not set or empty',
    );
  });
});
