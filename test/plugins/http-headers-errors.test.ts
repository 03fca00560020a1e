import type { Plugin } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { soapFault } from '../../src/core/errors';
import { scrubError, scrubText, useSafeErrors } from '../../src/plugins/http/use-safe-errors';
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
      {
        message: 'Source "catalog" failed at [url]',
        locations: [{ line: 1, column: 9 }],
        path: ['leak'],
        extensions: { code: 'UPSTREAM_HTTP_ERROR', detail: { url: '[url]' } },
      },
      {
        message: 'Unexpected error.',
        locations: [{ line: 1, column: 14 }],
        path: ['crash'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    const text = JSON.stringify(body);
    for (const secret of ['hunter2', 'abc123', 't0k', '10.0.0.7', 'catalog.internal', 'stack'])
      expect(text).not.toContain(secret);
  });

  it('outside production: URLs stay for debugging, credentials in them do not', async () => {
    const app = createTestApp([useSafeErrors({ production: false })]);
    const { body } = await app.post({ query: '{ leak }' });
    expect(body.errors[0].message).toBe(
      'Source "catalog" failed at https://[redacted]@catalog.internal:8443/v1/items?api_key=[redacted]',
    );
    expect(body.errors[0].extensions.detail).toEqual({ url: 'http://10.0.0.7:9000/items?token=[redacted]' });
  });

  it('keeps the HTTP status of typed rejections', async () => {
    const app = createTestApp([useSafeErrors({ production: true })], { production: true });
    const { status, body } = await app.post({ query: '{ hello(' });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('scrubText and scrubError in production', () => {
  it.each([
    [
      'Deadline exceeded after 0.302s,LB pick: 0.001s,remote_addr=127.0.0.1:4822',
      'Deadline exceeded after 0.302s,LB pick: 0.001s,remote_addr=[address]',
    ],
    [
      'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:4812. Resolution note: ',
      'No connection established. Last error: Error: connect ECONNREFUSED [address]. Resolution note: ',
    ],
    ['connect ECONNREFUSED ::1:50051', 'connect ECONNREFUSED [address]'],
    ['peer [::ffff:10.0.0.7]:443 and fe80:0:0:0:0:0:0:1 hung up', 'peer [address] and [address] hung up'],
    ['getaddrinfo ENOTFOUND orders.svc.cluster.local:50051 (10.1.2.3)', 'getaddrinfo ENOTFOUND [address] ([address])'],
    ['connect ECONNREFUSED localhost:4000', 'connect ECONNREFUSED [address]'],
    [
      'Variable "$s" got invalid value "PAI"; Value "PAI" does not exist in "Status" enum. Did you mean the enum value "PAID"?',
      'Variable "$s" got invalid value "PAI"; Value "PAI" does not exist in "Status" enum.',
    ],
    [
      'Field "nme" is not defined by type "NewProduct". Did you mean "name"?',
      'Field "nme" is not defined by type "NewProduct".',
    ],
  ])('masks %j', (text, expected) => {
    expect(scrubText(text, true)).toBe(expected);
  });

  it.each([
    'Query cost 6000 exceeds the maximum of 5000',
    'Source "orders" did not answer within 300 ms',
    'Source "billing" answered a SOAP fault',
    'Rate limit exceeded; retry in 12 s',
    'Variable "$when" got invalid value "12:30:45"',
    'Source "catalog" returned no Product for key "p1"',
  ])('leaves %j alone', (text) => {
    expect(scrubText(text, true)).toBe(text);
  });

  it('keeps a SOAP fault code, faultcode, source and status but not the backend fault string or detail', () => {
    const fault = soapFault(
      'billing',
      {
        faultcode: 'soap:Server',
        faultstring: 'ORA-00942 at db7.billing.internal:1521',
        detail: { trace: 'at com.acme.Ledger' },
      },
      500,
    );
    const scrubbed = scrubError(fault, true);
    expect(scrubbed.message).toBe('Source "billing" answered a SOAP fault');
    expect(scrubbed.extensions).toEqual({
      code: 'SOAP_FAULT',
      source: 'billing',
      upstreamStatus: 500,
      faultcode: 'soap:Server',
    });
    expect(scrubError(fault, false).extensions).toMatchObject({
      faultstring: 'ORA-00942 at db7.billing.internal:1521',
      detail: { trace: 'at com.acme.Ledger' },
    });
  });

  it('leaves errors of other codes their extensions', () => {
    const error = new GraphQLError('Source "catalog" answered HTTP 404', {
      extensions: {
        code: 'UPSTREAM_HTTP_ERROR',
        source: 'catalog',
        upstreamStatus: 404,
        detail: { message: 'no such product' },
      },
    });
    expect(scrubError(error, true).extensions).toEqual(error.extensions);
  });
});
