import { createHash } from 'node:crypto';
import { createYoga, type Plugin } from 'graphql-yoga';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { Registry } from 'prom-client';
import { stripSuggestions, useIntrospectionPolicy } from '../../src/bff/use-introspection-policy';
import { useGatewayServices } from '../../src/plugins/shared/gateway-services';
import type { PolicyContext } from '../../src/plugins/policy-context';
import { usePersistedOperations } from '../../src/plugins/use-persisted-operations';
import { ConfigError } from '../../src/core/errors';
import { createSilentLogger } from '../../src/core/logger';

const schema = makeExecutableSchema({
  typeDefs: 'type Query { hello(name: String): String secret: String }',
  resolvers: {
    Query: { hello: (_root: unknown, { name }: { name?: string }) => `hi ${name ?? 'there'}`, secret: () => 's' },
  },
});
const context: PolicyContext = {
  bffName: 'tiny',
  schema,
  production: true,
  logger: createSilentLogger(),
  redisKeyPrefix: 'loom:tiny:',
  metrics: new Registry(),
  addReadinessCheck: () => undefined,
};
const HELLO = 'query Hello($name: String) { hello(name: $name) }';
const HELLO_ID = createHash('sha256').update(HELLO).digest('hex');

async function post(plugins: Plugin[], body: Record<string, unknown>) {
  const yoga = createYoga({ schema, plugins, logging: false });
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('useIntrospectionPolicy', () => {
  it('is a Plugin', () => {
    expect(useIntrospectionPolicy({ bffName: 'tiny', introspection: false }) satisfies Plugin).toBeDefined();
  });

  it('off: rejects __type with INTROSPECTION_DISABLED and strips suggestions from other errors', async () => {
    const off = [useIntrospectionPolicy({ bffName: 'tiny', introspection: false })];
    const rejected = await post(off, { query: '{ t: __type(name: "Query") { name } }' });
    expect(rejected).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'Introspection is disabled on "tiny" (the query asked for __type)',
            locations: [{ line: 1, column: 3 }],
            extensions: { code: 'INTROSPECTION_DISABLED' },
          },
        ],
      },
    });
    const typo = await post(off, { query: '{ helo }' });
    expect(typo.body.errors[0].message).toBe('Cannot query field "helo" on type "Query".');
  });

  it('on: answers introspection and keeps suggestions', async () => {
    const on = [useIntrospectionPolicy({ bffName: 'tiny', introspection: true })];
    expect((await post(on, { query: '{ __type(name: "Query") { name } }' })).body).toEqual({
      data: { __type: { name: 'Query' } },
    });
    expect((await post(on, { query: '{ helo }' })).body.errors[0].message).toBe(
      'Cannot query field "helo" on type "Query". Did you mean "hello"?',
    );
  });

  it('strips every graphql-js suggestion form', () => {
    expect(stripSuggestions('Unknown argument "nme" on field "Query.hello". Did you mean "name"?')).toBe(
      'Unknown argument "nme" on field "Query.hello".',
    );
    expect(stripSuggestions('Value "GOL" does not exist in "Tier" enum. Did you mean the enum value "GOLD"?')).toBe(
      'Value "GOL" does not exist in "Tier" enum.',
    );
    expect(stripSuggestions('Cannot query field "a" on type "Q". Did you mean "b", "c", or "d"?')).toBe(
      'Cannot query field "a" on type "Q".',
    );
  });
});

describe('usePersistedOperations', () => {
  it('is a plain Plugin that takes the BFF name from the gateway services', () => {
    expect(usePersistedOperations({ manifest: {} }) satisfies Plugin).toBeDefined();
  });

  it('persisted-only: runs a known id with variables and refuses a raw query', async () => {
    const plugin = usePersistedOperations({ manifest: { [HELLO_ID]: HELLO }, persistedOnly: true });
    expect(
      await post([useGatewayServices(context), plugin], {
        extensions: { persistedQuery: { version: 1, sha256Hash: HELLO_ID } },
        variables: { name: 'Ada' },
      }),
    ).toEqual({
      status: 200,
      body: { data: { hello: 'hi Ada' } },
    });
    const raw = await post([useGatewayServices(context), plugin], { query: '{ secret }' });
    expect(raw.status).toBe(400);
    expect(raw.body.errors[0].extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_FOUND' });
  });

  it('rejects bad options and bad manifests when the BFF starts', () => {
    expect(() => usePersistedOperations({ manifest: 42 as never })).toThrow(ConfigError);
    expect(() => usePersistedOperations({ manifest: {}, persistedOnly: 'yes' as never })).toThrow(
      'persistedOnly must be a boolean',
    );
    const start = (plugin: Plugin) => () =>
      createYoga({ schema, plugins: [useGatewayServices(context), plugin], logging: false });
    expect(start(usePersistedOperations({ manifest: '/nonexistent/ops.json' }))).toThrow(
      /^\/nonexistent\/ops\.json: cannot read the persisted operations manifest/,
    );
    expect(start(usePersistedOperations({ manifest: { broken: '{ hello' } }))).toThrow(
      'bff "tiny": persisted operation broken: Syntax Error',
    );
    expect(start(usePersistedOperations({ manifest: { empty: '' } }))).toThrow(
      'bff "tiny": persisted operation empty: the document must be a non-empty string',
    );
  });
});
