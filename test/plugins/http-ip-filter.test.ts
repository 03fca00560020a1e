import ipaddr from 'ipaddr.js';
import type { Plugin } from 'graphql-yoga';
import { clientAddress, useIpFilter } from '../../src/plugins/http/use-ip-filter';
import { createTestApp } from './plugin-test-app';

const _typed: Plugin = useIpFilter({ deny: [] });

const from = (remoteAddress: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ query: '{ hello }' }),
  serverContext: { req: { socket: { remoteAddress } } },
});

describe('useIpFilter', () => {
  const app = createTestApp([
    useIpFilter({ allow: ['10.0.0.0/8', '2001:db8::/32', '127.0.0.1'], deny: ['10.6.6.0/24'] }),
  ]);

  it.each(['10.1.2.3', '::ffff:10.1.2.3', '2001:db8::1', '127.0.0.1'])('serves %s (allowed)', async (address) => {
    const response = await app.request(from(address));
    expect(response.status).toBe(200);
  });

  it.each(['192.168.1.1', '10.6.6.6', '2001:db9::1', '::ffff:10.6.6.1'])(
    'refuses %s with 403 FORBIDDEN and no resolver call',
    async (address) => {
      const before = app.calls();
      const response = await app.request(from(address));
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        errors: [{ message: 'Requests from this address are not allowed', extensions: { code: 'FORBIDDEN' } }],
      });
      expect(app.calls()).toBe(before);
    },
  );

  it('ignores X-Forwarded-For unless the peer is a trusted proxy', async () => {
    expect((await app.request(from('192.168.1.1', { 'x-forwarded-for': '10.1.2.3' }))).status).toBe(403);
    const behindProxy = createTestApp([useIpFilter({ allow: ['10.0.0.0/8'], trustedProxies: ['192.168.0.0/16'] })]);
    expect((await behindProxy.request(from('192.168.1.1', { 'x-forwarded-for': '10.1.2.3' }))).status).toBe(200);
    // A client-written first hop does not help when the proxy appended the real one.
    expect(
      (await behindProxy.request(from('192.168.1.1', { 'x-forwarded-for': '10.1.2.3, 203.0.113.9' }))).status,
    ).toBe(403);
  });

  it('picks the last untrusted hop', () => {
    const trusted = [ipaddr.parseCIDR('192.168.0.0/16')];
    expect(clientAddress('192.168.0.1', '203.0.113.9, 10.0.0.1, 192.168.0.2', trusted)?.toString()).toBe('10.0.0.1');
    expect(clientAddress('8.8.8.8', '10.0.0.1', trusted)?.toString()).toBe('8.8.8.8');
  });

  it('fails at start-up on a malformed range', () => {
    expect(() => useIpFilter({ deny: ['10.0.0.0/99'] })).toThrow(
      'useIpFilter: deny: "10.0.0.0/99" is not an IP address or CIDR',
    );
  });
});
