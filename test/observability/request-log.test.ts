import { createLogger } from '../../src/core/logger';
import type { TestGateway } from '../helpers/test-gateway';
import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';
import { captureLogs, type LogCapture } from './log-capture';

describe('request logs: one JSON line per request, secrets redacted', () => {
  let setup: CatalogUnderTest;
  let gateway: TestGateway;
  let logs: LogCapture;

  beforeAll(async () => {
    logs = captureLogs();
    setup = await startCatalogUnderTest({
      apiKey: 'catalog-secret-key',
      logger: createLogger({ level: 'info', destination: logs.stream }),
    });
    ({ gateway } = setup);
  });
  afterAll(() => setup?.close());

  it('logs request id, BFF, operation, status, duration, error codes and upstream call count', async () => {
    const { headers } = await gateway.query('web', {
      query: 'query Shop { getCustomer(id: "1") { id } listProducts(limit: 2) { id } }',
    });
    const line = await logs.next('request');
    expect(line).toMatchObject({
      level: 30,
      service: 'loom',
      bff: 'web',
      operation: 'Shop',
      operationType: 'query',
      status: 200,
      errorCodes: [],
      upstreamCalls: 2,
      upstreamErrors: 0,
      req: { method: 'POST', path: '/web/graphql' },
    });
    expect(line.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers.get('x-request-id')).toBe(line.reqId);
    expect(typeof line.durationMs).toBe('number');
    expect(line.durationMs).toBeGreaterThan(0);
    expect(line.traceId).toBeUndefined();
  });

  it('logs upstream failures at warn with their codes', async () => {
    await gateway.query('web', { query: '{ ok: getCustomer(id: "1") { id } missing: getCustomer(id: "999") { id } }' });
    const failure = await logs.next('upstream call failed');
    const line = await logs.next('request');
    expect(line).toMatchObject({
      level: 40,
      operation: 'anonymous',
      status: 200,
      errorCodes: ['UPSTREAM_HTTP_ERROR'],
      upstreamCalls: 2,
      upstreamErrors: 1,
    });
    expect(failure).toMatchObject({
      level: 40,
      source: 'catalog',
      reqId: line.reqId,
      operation: 'getCustomer',
      status: '404',
      codes: ['UPSTREAM_HTTP_ERROR'],
      message: 'Source "catalog" answered HTTP 404',
    });
  });

  it('keeps a sane incoming x-request-id and replaces an unsafe one', async () => {
    const kept = await gateway.query('web', { query: '{ __typename }' }, { 'x-request-id': 'req-42.a:b' });
    expect(kept.headers.get('x-request-id')).toBe('req-42.a:b');
    expect((await logs.next('request')).reqId).toBe('req-42.a:b');
    const replaced = await gateway.query(
      'web',
      { query: '{ __typename }' },
      { 'x-request-id': 'bad id\u00e9'.repeat(3) },
    );
    const line = await logs.next('request');
    expect(line.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.headers.get('x-request-id')).toBe(line.reqId);
    expect(line).toMatchObject({ upstreamCalls: 0, errorCodes: [] });
  });

  it('redacts Authorization, cookies, API keys and tokens, keeps other headers', async () => {
    await gateway.query(
      'web',
      { query: '{ __typename }' },
      {
        authorization: 'Bearer eyJ-very-secret-jwt',
        'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
        cookie: 'session=cookie-secret-value',
        'x-api-key': 'client-api-key-secret',
        'x-loom-token': 'custom-token-secret',
        'x-request-source': 'mobile-app',
      },
    );
    const line = await logs.next('request');
    expect(line.req.headers).toMatchObject({
      authorization: '[redacted]',
      'proxy-authorization': '[redacted]',
      cookie: '[redacted]',
      'x-api-key': '[redacted]',
      'x-loom-token': '[redacted]',
      'x-request-source': 'mobile-app',
    });
    for (const secret of [
      'eyJ-very-secret-jwt',
      'cHJveHk6c2VjcmV0',
      'cookie-secret-value',
      'client-api-key-secret',
      'custom-token-secret',
      'catalog-secret-key',
    ]) {
      expect(logs.text()).not.toContain(secret);
    }
  });

  it('logs a request rejected before execution with its status and code', async () => {
    const { status } = await gateway.query('web', { query: '{ getCustomer(id: "1") { nope } }' });
    expect(status).toBe(400);
    const line = await logs.next('request');
    expect(line).toMatchObject({ level: 40, operation: 'anonymous', status: 400, upstreamCalls: 0 });
    expect(line.errorCodes).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe('createLogger', () => {
  const original = process.env.LOOM_LOG_LEVEL;
  afterEach(() => {
    if (original === undefined) delete process.env.LOOM_LOG_LEVEL;
    else process.env.LOOM_LOG_LEVEL = original;
  });

  it('takes its level from LOOM_LOG_LEVEL', () => {
    process.env.LOOM_LOG_LEVEL = 'warn';
    const logs = captureLogs();
    const logger = createLogger({ destination: logs.stream });
    logger.info('dropped');
    logger.warn('kept');
    expect(logger.level).toBe('warn');
    expect(logs.text()).not.toContain('dropped');
    expect(logs.text()).toContain('kept');
  });

  it('redacts nested secrets any logger call might carry', () => {
    const logs = captureLogs();
    createLogger({ level: 'info', destination: logs.stream }).info(
      {
        req: { headers: { authorization: 'Bearer abc-secret' } },
        source: { apiKey: 'key-secret', token: 'tok-secret' },
      },
      'upstream call',
    );
    const text = logs.text();
    expect(text).not.toMatch(/abc-secret|key-secret|tok-secret/);
    expect(JSON.parse(text).source).toEqual({ apiKey: '[redacted]', token: '[redacted]' });
  });
});
