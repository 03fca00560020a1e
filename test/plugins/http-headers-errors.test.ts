import type { Plugin } from 'graphql-yoga';
import { useSafeErrors } from '../../src/plugins/http/use-safe-errors';
import { useSecurityHeaders } from '../../src/plugins/http/use-security-headers';
import { createTestApp } from './plugin-test-app';

const _typed: Plugin[] = [useSafeErrors(), useSecurityHeaders()];

describe('useSecurityHeaders', () => {
  it('sets the hardening headers on every response, errors included', async () => {
    const app = createTestApp([useSecurityHeaders({ hsts: true, headers: { 'permissions-policy': 'camera=()' } })]);
    for (const body of [{ query: '{ hello }' }, { query: '{ nope }' }]) {
      const { headers } = await app.post(body);
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('x-frame-options')).toBe('DENY');
      expect(headers.get('referrer-policy')).toBe('no-referrer');
      expect(headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(headers.get('permissions-policy')).toBe('camera=()');
    }
  });

  it('sends no HSTS unless asked', async () => {
    const { headers } = await createTestApp([useSecurityHeaders()]).post({ query: '{ hello }' });
    expect(headers.get('strict-transport-security')).toBeNull();
  });
});

describe('useSafeErrors', () => {
  it('in production: no URLs anywhere, no stack, unexpected errors masked, codes kept', async () => {
    const app = createTestApp([useSafeErrors({ production: true })], { production: true });
    const { status, body } = await app.post({ query: '{ hello leak crash }' });
    expect(status).toBe(200);
    expect(body.data).toEqual({ hello: 'world', leak: null, crash: null });
    expect(body.errors).toEqual([
      { message: 'Source "catalog" failed at [url]', locations: [{ line: 1, column: 9 }], path: ['leak'], extensions: { code: 'UPSTREAM_HTTP_ERROR', detail: { url: '[url]' } } },
      { message: 'Unexpected error.', locations: [{ line: 1, column: 14 }], path: ['crash'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ]);
    const text = JSON.stringify(body);
    for (const secret of ['hunter2', 'abc123', 't0k', '10.0.0.7', 'catalog.internal', 'stack']) expect(text).not.toContain(secret);
  });

  it('outside production: URLs stay for debugging, credentials in them do not', async () => {
    const app = createTestApp([useSafeErrors({ production: false })]);
    const { body } = await app.post({ query: '{ leak }' });
    expect(body.errors[0].message).toBe('Source "catalog" failed at https://[redacted]@catalog.internal:8443/v1/items?api_key=[redacted]');
    expect(body.errors[0].extensions.detail).toEqual({ url: 'http://10.0.0.7:9000/items?token=[redacted]' });
  });

  it('keeps the HTTP status of typed rejections', async () => {
    const app = createTestApp([useSafeErrors({ production: true })], { production: true });
    const { status, body } = await app.post({ query: '{ hello(' });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});
