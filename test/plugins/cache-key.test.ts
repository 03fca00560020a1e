import { defaultBuildResponseCacheKey } from '@envelop/response-cache';
import { buildCacheKey } from '../../src/plugins/cache/build-cache-key';

describe('response cache key', () => {
  it.each([
    [{ documentString: '{ getUser(id: 1) { id } }', variableValues: {}, operationName: null, sessionId: null }],
    [
      {
        documentString: 'query Q($id: ID!) { getUser(id: $id) { id } }',
        variableValues: { b: 2, a: [1, { z: 1, y: 2 }] },
        operationName: 'Q',
        sessionId: 'jwt:user-7|["en"]',
      },
    ],
  ])('is the library default, computed synchronously (%#)', async (params) => {
    const full: Parameters<typeof buildCacheKey>[0] = { ...params, context: {} };
    const key = buildCacheKey(full);
    expect(typeof key).toBe('string');
    expect(key).toBe(await defaultBuildResponseCacheKey(full));
  });

  it('differs by variables order-independently and by session', () => {
    const base = { documentString: '{ a }', operationName: null, context: {} };
    expect(buildCacheKey({ ...base, variableValues: { a: 1, b: 2 }, sessionId: null })).toBe(
      buildCacheKey({ ...base, variableValues: { b: 2, a: 1 }, sessionId: null }),
    );
    expect(buildCacheKey({ ...base, variableValues: {}, sessionId: 'u1' })).not.toBe(
      buildCacheKey({ ...base, variableValues: {}, sessionId: 'u2' }),
    );
  });
});
