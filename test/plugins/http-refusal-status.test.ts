import type { Plugin } from 'graphql-yoga';
import { useRefusalStatus } from '../../src/plugins/http/use-refusal-status';
import { createTestApp } from './plugin-test-app';

const _typed: Plugin = useRefusalStatus();

const ACCEPTS = ['application/json', 'application/graphql-response+json', '*/*'];

describe('useRefusalStatus', () => {
  const app = createTestApp([useRefusalStatus()]);

  it.each(ACCEPTS)('answers a validation refusal 400 with Accept: %s', async (accept) => {
    const { status, body } = await app.post({ query: '{ nope }' }, { accept });
    expect(status).toBe(400);
    expect(body).toEqual({
      errors: [
        {
          message: 'Cannot query field "nope" on type "Query".',
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
  });

  it.each(ACCEPTS)('answers a parse refusal 400 with Accept: %s', async (accept) => {
    const { status, body } = await app.post({ query: '{ hello' }, { accept });
    expect(status).toBe(400);
    expect(body.errors[0].extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
  });

  it.each(ACCEPTS)('answers invalid JSON 400 with Accept: %s', async (accept) => {
    const { status, body } = await app.post('{"query": "{ hello', { accept });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('answers a mutation over GET 405 with Accept: application/json', async () => {
    const response = await app.request({
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent('mutation { rename(name: "x") }')}`,
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('leaves answers with data, and refusals of the same document on later requests, as they are', async () => {
    expect((await app.post({ query: '{ hello }' }, { accept: 'application/json' })).status).toBe(200);
    // Yoga caches validation results: the second refusal must not depend on the first one's copy.
    for (let round = 0; round < 2; round++)
      expect((await app.post({ query: '{ nope }' }, { accept: 'application/json' })).status).toBe(400);
  });

  it('is needed: without it Yoga answers 200 to an application/json client', async () => {
    const { status } = await createTestApp([]).post({ query: '{ nope }' }, { accept: 'application/json' });
    expect(status).toBe(200);
  });
});
