import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/validate-config';
import { defineConfig } from '../../src/config/define-config';
import { suggestKey } from '../../src/core/options-schema';
import { ConfigError } from '../../src/core/errors';
import { main, type CliIo } from '../../src/cli/main';
import { REPO_ROOT } from '../helpers/test-gateway';

const spec = './sources/catalog/openapi.yaml';
const bffs = { web: './bff/web.ts' };

/** The ConfigError message validateConfig throws for `config` (paths relative to the repo). */
function faultsOf(config: unknown): string[] {
  try {
    validateConfig(config, 'loom.config.ts', REPO_ROOT);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message.split('\n');
  }
  throw new Error('the config was accepted');
}

describe('unknown keys fail at load with the path and a hint', () => {
  it('names a typo in a source and suggests the key', () => {
    expect(
      faultsOf({ sources: [{ name: 'catalog', kind: 'openapi', spec, endpiont: 'http://127.0.0.1:1' }], bffs }),
    ).toEqual(['loom.config.ts: source "catalog": unknown key "endpiont" (did you mean "endpoint"?)']);
  });

  it('matches a wrong case, a top-level key and a nested upstream key', () => {
    const config = {
      sources: [{ name: 'catalog', kind: 'openapi', spec, timeoutMS: 100, upstream: { retry: { attemps: 3 } } }],
      link: [],
      bffs,
    };
    expect(faultsOf(config)).toEqual([
      'loom.config.ts: source "catalog": unknown key "timeoutMS" (did you mean "timeoutMs"?)',
      'loom.config.ts: source "catalog": unknown key "upstream.retry.attemps" (did you mean "upstream.retry.maxRetries"?)',
      'loom.config.ts: unknown key "link" (did you mean "links"?)',
    ]);
  });

  it('lists the known keys when nothing is close', () => {
    expect(
      faultsOf({ sources: [{ name: 'catalog', kind: 'openapi', spec }], bffs, redis: { url: 'redis://x', zzzz: 1 } }),
    ).toEqual([
      'loom.config.ts: unknown key "redis.zzzz" (known keys: url, sentinels, name, password, sentinelPassword, db, cluster, commandTimeoutMs, readinessTimeoutMs, keyPrefix)',
    ]);
  });

  it('checks links, merge rules and kind-specific options', () => {
    const config = {
      sources: [
        {
          name: 'orders',
          kind: 'grpc',
          proto: './sources/orders/orders.proto',
          endpoint: '127.0.0.1:50051',
          tls: { cert: 'a', keyy: 'b' },
        },
        {
          name: 'catalog',
          kind: 'openapi',
          spec,
          merge: { Customer: { key: 'id', resolveWith: 'getCustomer', batched: 'off' } },
        },
      ],
      links: [
        { field: 'Order.customer', resolveWith: 'getCustomer', args: { id: '$source.customerId' }, batchwith: {} },
      ],
      bffs,
    };
    expect(faultsOf(config)).toEqual([
      'loom.config.ts: source "orders": unknown key "tls.keyy" (did you mean "tls.key"?)',
      'loom.config.ts: source "catalog": unknown key "merge.Customer.batched" (did you mean "merge.Customer.batch"?)',
      'loom.config.ts: link "Order.customer": unknown key "batchwith" (did you mean "batchWith"?)',
    ]);
  });

  it('is the same rule at compile time: defineConfig is typed by the schema that validates', () => {
    const config = defineConfig({
      sources: [
        {
          name: 'catalog',
          kind: 'openapi',
          spec,
          // @ts-expect-error not an option: tsc refuses what the schema refuses
          endpiont: 'http://127.0.0.1:1',
          upstream: { loadBalancing: 'round-robin', retry: false },
        },
      ],
      bffs,
    });
    expect(faultsOf(config)).toEqual([
      'loom.config.ts: source "catalog": unknown key "endpiont" (did you mean "endpoint"?)',
    ]);
  });

  it('suggests nothing for a name far from every key', () => {
    expect(suggestKey('colour', ['endpoint', 'spec'])).toBeUndefined();
    expect(suggestKey('retries', ['maxRetries', 'baseDelayMs'])).toBe('maxRetries');
  });
});

describe('endpoints are parsed at load', () => {
  it.each([
    [
      'openapi',
      'not a url',
      { spec },
      'loom.config.ts: source "s": endpoint must be an http(s) URL (e.g. http://127.0.0.1:8080), got "not a url"',
    ],
    [
      'openapi',
      'ftp://host/x',
      { spec },
      'loom.config.ts: source "s": endpoint must be an http(s) URL (e.g. http://127.0.0.1:8080), got "ftp://host/x"',
    ],
    [
      'grpc',
      'http://127.0.0.1:4102',
      { proto: './sources/orders/orders.proto' },
      'loom.config.ts: source "s": endpoint must be host:port (e.g. 127.0.0.1:50051), got "http://127.0.0.1:4102"',
    ],
    [
      'grpc',
      '127.0.0.1:99999',
      { proto: './sources/orders/orders.proto' },
      'loom.config.ts: source "s": endpoint must be host:port (e.g. 127.0.0.1:50051), got "127.0.0.1:99999"',
    ],
  ])('%s endpoint %s', (kind, endpoint, fields, expected) => {
    expect(faultsOf({ sources: [{ name: 's', kind, ...fields, endpoint }], bffs })).toEqual([expected]);
  });

  it('accepts URLs, lists and gRPC targets', () => {
    const config = validateConfig(
      {
        sources: [
          { name: 'a', kind: 'openapi', spec, endpoint: ['http://127.0.0.1:1', 'https://example.com/api'] },
          { name: 'b', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: 'grpc://[::1]:4102' },
          { name: 'c', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: 'orders.internal:443' },
        ],
        bffs,
      },
      'loom.config.ts',
      REPO_ROOT,
    );
    expect(config.sources.map((source) => source.endpoint)).toEqual([
      ['http://127.0.0.1:1', 'https://example.com/api'],
      'grpc://[::1]:4102',
      'orders.internal:443',
    ]);
    expect(config.shutdownTimeoutMs).toBe(25_000);
  });

  it('names a port that is not a number as written', () => {
    expect(faultsOf({ sources: [{ name: 'a', kind: 'openapi', spec }], bffs, port: Number('abc') })).toEqual([
      'loom.config.ts: port must be an integer from 0 to 65535, got NaN',
    ]);
  });
});

describe('a config with five planted faults', () => {
  it('reports all five at once, one line each, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-strict-'));
    writeFileSync(join(dir, 'bff.ts'), 'export default { policies: [] };\n');
    const catalog = JSON.stringify(join(REPO_ROOT, 'sources/catalog/openapi.yaml'));
    writeFileSync(
      join(dir, 'loom.config.ts'),
      `export default {
  sources: [{ name: 'catalog', kind: 'openapi', spec: ${catalog}, endpiont: 'http://127.0.0.1:1', timeoutMS: 5, upstream: { retry: { attemps: 3 } } }],
  link: [],
  bffs: { web: './bff.ts' },
  port: 'eighty',
};\n`,
    );
    let err = '';
    const io: CliIo = { out: () => undefined, err: (text) => (err += text) };
    expect(await main(['serve', '--config', join(dir, 'loom.config.ts'), '--port', '0'], io)).toBe(1);
    const file = join(dir, 'loom.config.ts');
    expect(err.split('\n')).toEqual([
      `loom: ${file}: source "catalog": unknown key "endpiont" (did you mean "endpoint"?)`,
      `loom: ${file}: source "catalog": unknown key "timeoutMS" (did you mean "timeoutMs"?)`,
      `loom: ${file}: source "catalog": unknown key "upstream.retry.attemps" (did you mean "upstream.retry.maxRetries"?)`,
      `loom: ${file}: unknown key "link" (did you mean "links"?)`,
      `loom: ${file}: port must be an integer from 0 to 65535, got "eighty"`,
      '',
    ]);
  });
});

describe('hostile configs get bounded, readable messages', () => {
  const source = { name: 'catalog', kind: 'openapi', spec };

  it('names an own __proto__ key and a non-ASCII typo like any other', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "endpoínt": "http://127.0.0.1:1"}') as object;
    expect(faultsOf({ sources: [{ ...source, ...parsed }], bffs })).toEqual([
      'loom.config.ts: source "catalog": unknown key "__proto__" (known keys: name, endpoint, headers, forwardHeaders, propagateRequestId, timeoutMs, maxResponseBytes, credentials, upstream, rename, merge, kind, spec, operations)',
      'loom.config.ts: source "catalog": unknown key "endpoínt" (did you mean "endpoint"?)',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('cuts a huge value short and survives a circular one', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const [long, loop] = faultsOf({
      sources: [
        { ...source, endpoint: `not a url ${'x'.repeat(100_000)}` },
        { ...source, name: 'b', timeoutMs: circular },
      ],
      bffs,
    });
    expect(long).toMatch(
      /^loom\.config\.ts: source "catalog": endpoint must be an http\(s\) URL .*, got "not a url x+\.\.\.$/,
    );
    expect(long!.length).toBeLessThan(250);
    expect(loop).toBe('loom.config.ts: source "b": timeoutMs must be a positive number, got [object Object]');
  });

  it('lists at most 50 problems, then how many more', () => {
    const typos = Object.fromEntries(Array.from({ length: 10_000 }, (_, index) => [`option${index}`, index]));
    const faults = faultsOf({ sources: [source], bffs, ...typos });
    expect(faults).toHaveLength(51);
    expect(faults[0]).toMatch(/^loom\.config\.ts: unknown key "option0" \(known keys: sources, links, bffs,/);
    expect(faults[50]).toBe('loom.config.ts: ... and 9950 more problems');
  });

  it('refuses a value of the wrong kind at any depth, and a class instance where an object is expected', () => {
    expect(
      faultsOf({
        sources: [{ ...source, upstream: { retry: { idempotentMethods: ['GET', 7] } }, headers: new Map() }],
        bffs,
      }),
    ).toEqual([
      'loom.config.ts: source "catalog": upstream.retry.idempotentMethods[1] must be a string, got 7',
      'loom.config.ts: source "catalog": headers must be an object of strings, got {}',
    ]);
  });
});
