import type { Plugin } from 'graphql-yoga';
import { useCorsPolicy } from '../../src/plugins/http/use-cors-policy';
import { useCsrfGuard } from '../../src/plugins/http/use-csrf-guard';
import { createTestApp } from './plugin-test-app';

const _typed: Plugin[] = [useCorsPolicy({ origins: [] }), useCsrfGuard()];

describe('useCorsPolicy', () => {
  const app = createTestApp([
    useCorsPolicy({ origins: ['https://shop.example.com', 'http://localhost:3000'], credentials: true }),
  ]);
  const preflight = (origin: string) =>
    app.request({
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  it('answers a preflight from a listed origin with that origin only', async () => {
    const response = await preflight('https://shop.example.com');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'content-type, authorization, x-api-key, x-graphql-csrf',
    );
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('gives an unlisted origin no CORS headers at all, on preflight and on the real call', async () => {
    const response = await preflight('https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    const { headers } = await app.post({ query: '{ hello }' }, { origin: 'https://evil.example' });
    expect(headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sets the allowed origin on actual responses', async () => {
    const { status, headers } = await app.post({ query: '{ hello }' }, { origin: 'http://localhost:3000' });
    expect(status).toBe(200);
    expect(headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(headers.get('access-control-expose-headers')).toBe('retry-after, x-request-id');
  });

  it('fails at start-up on a wildcard or malformed origin', () => {
    expect(() => useCorsPolicy({ origins: ['*'] })).toThrow(
      'useCorsPolicy: list origins explicitly; "*" is not allowed',
    );
    expect(() => useCorsPolicy({ origins: ['https://shop.example.com/'] })).toThrow(
      'must be scheme://host[:port] without a path or trailing slash',
    );
    expect(() => useCorsPolicy({ origins: ['shop'] })).toThrow('origin "shop" is not a URL');
  });
});

describe('useCsrfGuard', () => {
  const app = createTestApp([useCsrfGuard()]);

  it('lets JSON POSTs through (a browser preflights them)', async () => {
    expect((await app.post({ query: '{ hello }' })).status).toBe(200);
  });

  it('refuses a simple GET without the header with 403 FORBIDDEN, and serves it with the header', async () => {
    const path = `/graphql?query=${encodeURIComponent('{ hello }')}`;
    const refused = await app.request({ method: 'GET', path, headers: { accept: 'application/json' } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      errors: [
        { message: 'Required CSRF header missing: send one of x-graphql-csrf', extensions: { code: 'FORBIDDEN' } },
      ],
    });
    const served = await app.request({
      method: 'GET',
      path,
      headers: { accept: 'application/json', 'x-graphql-csrf': '1' },
    });
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual({ data: { hello: 'world' } });
  });

  it('refuses a form POST without the header', async () => {
    const before = app.calls();
    const response = await app.request({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent('mutation { rename(name: "pwned") }')}`,
    });
    expect(response.status).toBe(403);
    expect(app.calls()).toBe(before);
  });
});
