import { getIntrospectionQuery } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useQueryLimits } from '../../src/plugins/limits/use-query-limits';
import { createTestApp } from './plugin-test-app';

// Compile-time check: the factory returns a yoga/envelop plugin.
const _typed: Plugin = useQueryLimits();

const ofTypes = (levels: number) => `${'ofType { '.repeat(levels)}name${' }'.repeat(levels)}`;
const nested = (levels: number) => `{ customers { ${'friends { '.repeat(levels)}id${' }'.repeat(levels)} } }`;

describe('useQueryLimits', () => {
  const app = createTestApp([
    useQueryLimits({
      maxDepth: 4,
      maxAliases: 3,
      maxDirectives: 3,
      maxTokens: 200,
      maxBatchSize: 2,
      blockFieldSuggestions: true,
    }),
  ]);

  it('lets a query at every limit through', async () => {
    const query = `{ a: hello b: hello c: hello customers(first: 1) { friends(first: 1) { friends(first: 1) { id @include(if: true) name @skip(if: false) } } } }`;
    const { status, body } = await app.post({ query });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.customers).toEqual([{ friends: [{ friends: [{ id: '10', name: 'C10' }] }] }]);
  });

  it.each([
    ['depth', nested(4), 'DEPTH_LIMIT_EXCEEDED', 'Query depth limit of 4 exceeded, found 6.', 4],
    // Each fragment spread counts as a level, so fragments cannot hide depth.
    [
      'depth through fragments',
      '{ customers { ...A } } fragment A on Customer { friends { ...B } } fragment B on Customer { id }',
      'DEPTH_LIMIT_EXCEEDED',
      'Query depth limit of 4 exceeded, found 7.',
      4,
    ],
    [
      'aliases',
      '{ a: hello b: hello c: hello d: hello }',
      'ALIAS_LIMIT_EXCEEDED',
      'Aliases limit of 3 exceeded, found 4.',
      3,
    ],
    [
      'directives',
      '{ hello @skip(if: false) @include(if: true) customers @skip(if: false) @include(if: true) { id } }',
      'DIRECTIVE_LIMIT_EXCEEDED',
      'Directives limit of 3 exceeded, found 4.',
      3,
    ],
    ['tokens', `{ ${'hello '.repeat(250)}}`, 'TOKEN_LIMIT_EXCEEDED', 'Token limit of 200 exceeded.', 200],
  ])(
    'refuses too many %s with a 400 and our code, before any resolver runs',
    async (_name, query, code, message, limit) => {
      const before = app.calls();
      const { status, body } = await app.post({ query });
      expect(status).toBe(400);
      expect(body.errors).toEqual([expect.objectContaining({ message, extensions: { code, limit } })]);
      expect(body.data).toBeUndefined();
      expect(app.calls()).toBe(before);
    },
  );

  it('refuses a batch larger than maxBatchSize with BATCH_LIMIT_EXCEEDED', async () => {
    const before = app.calls();
    const { status, body } = await app.post([{ query: '{ hello }' }, { query: '{ hello }' }, { query: '{ hello }' }]);
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      {
        message: 'Batch of 3 operations exceeds the maximum of 2',
        extensions: { code: 'BATCH_LIMIT_EXCEEDED', limit: 2 },
      },
    ]);
    expect(app.calls()).toBe(before);
  });

  it('hides field suggestions when asked to', async () => {
    const { status, body } = await app.post({ query: '{ customers { nam } }' });
    expect(status).toBe(400);
    expect(body.errors[0].message).toBe('Cannot query field "nam" on type "Customer".');
  });

  it('keeps suggestions when not blocking', async () => {
    const open = createTestApp([useQueryLimits({ blockFieldSuggestions: false })]);
    const { body } = await open.post({ query: '{ customers { nam } }' });
    expect(body.errors[0].message).toBe('Cannot query field "nam" on type "Customer". Did you mean "name"?');
  });

  describe('introspection depth (graphql-armor skips __schema)', () => {
    // The web BFF's limits: GraphiQL's own introspection query must still pass them.
    const web = createTestApp([useQueryLimits({ maxDepth: 10, maxTokens: 2000 })]);

    it('serves the full GraphiQL introspection query', async () => {
      const full = getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      });
      const { status, body } = await web.post({ query: full });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data.__schema.queryType).toEqual({ kind: 'OBJECT', name: 'Query' });
    });

    it.each([
      ['12 nested ofType', `{ __schema { types { fields { type { ${ofTypes(12)} } } } } }`, 17],
      [
        'nesting hidden in fragments',
        `{ ...I } fragment I on Query { __schema { types { ...T } } } fragment T on __Type { fields { type { ${ofTypes(12)} } } }`,
        17,
      ],
      ['__type', `{ __type(name: "Customer") { fields { type { ${ofTypes(14)} } } } }`, 18],
    ])('refuses %s with DEPTH_LIMIT_EXCEEDED', async (_name, query, found) => {
      const { status, body } = await web.post({ query });
      expect(status).toBe(400);
      // armor's depth limit counts `__type` (not `__schema`), so it may refuse too.
      expect(body.errors).toEqual(
        expect.arrayContaining([
          {
            message: `Introspection depth limit of 15 exceeded, found ${found}.`,
            extensions: { code: 'DEPTH_LIMIT_EXCEEDED', limit: 15 },
          },
        ]),
      );
    });

    it('takes a tighter maxIntrospectionDepth', async () => {
      const tight = createTestApp([useQueryLimits({ maxIntrospectionDepth: 3 })]);
      expect((await tight.post({ query: '{ __schema { queryType { name } } }' })).status).toBe(200);
      const { status, body } = await tight.post({ query: '{ __schema { types { fields { name } } } }' });
      expect(status).toBe(400);
      expect(body.errors[0].extensions).toEqual({ code: 'DEPTH_LIMIT_EXCEEDED', limit: 3 });
    });
  });

  describe('distinct fragment spreads', () => {
    const spreads = createTestApp([useQueryLimits({ maxDistinctFragmentSpreads: 3, maxTokens: 2000 })]);
    const fragments = (count: number) =>
      Array.from({ length: count }, (_, index) => `fragment F${index} on Customer { id }`).join(' ');

    it('lets a document spread a few fragments, however often', async () => {
      const query = `{ customers(first: 1) { ${'...F0 ...F1 ...F2 '.repeat(30)} } } ${fragments(3)}`;
      const { status, body } = await spreads.post({ query });
      expect(status).toBe(200);
      expect(body).toEqual({ data: { customers: [{ id: '1' }] } });
    });

    it('refuses more distinct fragments with FRAGMENT_SPREAD_LIMIT_EXCEEDED, before any resolver runs', async () => {
      const before = spreads.calls();
      const { status, body } = await spreads.post({
        query: `{ customers(first: 1) { ...F0 ...F1 ...F2 ...F3 } } ${fragments(4)}`,
      });
      expect(status).toBe(400);
      expect(body).toEqual({
        errors: [
          {
            message: 'Fragment spread limit of 3 distinct fragments exceeded, found 4.',
            extensions: { code: 'FRAGMENT_SPREAD_LIMIT_EXCEEDED', limit: 3 },
          },
        ],
      });
      expect(spreads.calls()).toBe(before);
    });
  });

  it('fails at start-up on a bad limit', () => {
    expect(() => useQueryLimits({ maxDepth: 0 })).toThrow('useQueryLimits: maxDepth must be a positive integer, got 0');
    expect(() => useQueryLimits({ maxIntrospectionDepth: -1 })).toThrow(
      'useQueryLimits: maxIntrospectionDepth must be a positive integer, got -1',
    );
    expect(() => useQueryLimits({ maxDistinctFragmentSpreads: 0 })).toThrow(
      'useQueryLimits: maxDistinctFragmentSpreads must be a positive integer, got 0',
    );
    expect(() => useQueryLimits({ maxTokens: 1.5 })).toThrow(
      'useQueryLimits: maxTokens must be a positive integer, got 1.5',
    );
  });
});
