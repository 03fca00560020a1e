import type { Plugin } from 'graphql-yoga';
import { useQueryLimits } from '../../src/plugins/limits/use-query-limits';
import { createTestApp } from './plugin-test-app';

// Compile-time check: the factory returns a yoga/envelop plugin.
const _typed: Plugin = useQueryLimits();

const nested = (levels: number) => `{ customers { ${'friends { '.repeat(levels)}id${' }'.repeat(levels)} } }`;

describe('useQueryLimits', () => {
  const app = createTestApp([useQueryLimits({ maxDepth: 4, maxAliases: 3, maxDirectives: 3, maxTokens: 200, maxBatchSize: 2, blockFieldSuggestions: true })]);

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
    ['depth through fragments', '{ customers { ...A } } fragment A on Customer { friends { ...B } } fragment B on Customer { id }', 'DEPTH_LIMIT_EXCEEDED', 'Query depth limit of 4 exceeded, found 7.', 4],
    ['aliases', '{ a: hello b: hello c: hello d: hello }', 'ALIAS_LIMIT_EXCEEDED', 'Aliases limit of 3 exceeded, found 4.', 3],
    ['directives', '{ hello @skip(if: false) @include(if: true) customers @skip(if: false) @include(if: true) { id } }', 'DIRECTIVE_LIMIT_EXCEEDED', 'Directives limit of 3 exceeded, found 4.', 3],
    ['tokens', `{ ${'hello '.repeat(250)}}`, 'TOKEN_LIMIT_EXCEEDED', 'Token limit of 200 exceeded.', 200],
  ])('refuses too many %s with a 400 and our code, before any resolver runs', async (_name, query, code, message, limit) => {
    const before = app.calls();
    const { status, body } = await app.post({ query });
    expect(status).toBe(400);
    expect(body.errors).toEqual([expect.objectContaining({ message, extensions: { code, limit } })]);
    expect(body.data).toBeUndefined();
    expect(app.calls()).toBe(before);
  });

  it('refuses a batch larger than maxBatchSize with BATCH_LIMIT_EXCEEDED', async () => {
    const before = app.calls();
    const { status, body } = await app.post([{ query: '{ hello }' }, { query: '{ hello }' }, { query: '{ hello }' }]);
    expect(status).toBe(400);
    expect(body.errors).toEqual([{ message: 'Batch of 3 operations exceeds the maximum of 2', extensions: { code: 'BATCH_LIMIT_EXCEEDED', limit: 2 } }]);
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

  it('fails at start-up on a bad limit', () => {
    expect(() => useQueryLimits({ maxDepth: 0 })).toThrow('useQueryLimits: maxDepth must be a positive integer, got 0');
    expect(() => useQueryLimits({ maxTokens: 1.5 })).toThrow('useQueryLimits: maxTokens must be a positive integer, got 1.5');
  });
});
