import { validateConfig } from '../../src/config/validate-config';
import type { LoomConfig } from '../../src/config/types';
import { REPO_ROOT } from '../helpers/test-gateway';

const base: LoomConfig = {
  sources: [{ name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml' }],
  bffs: { web: './test/fixtures/bff/open.ts' },
};
const validate = (redis: unknown) => validateConfig({ ...base, redis }, 'loom.config.ts', REPO_ROOT);

describe('config: redis options', () => {
  it('takes a URL or options, with deadlines of 100 ms per operation and 500 ms per readiness probe by default', () => {
    expect(validate(undefined).redis).toBeUndefined();
    expect(validate('').redis).toBeUndefined();
    expect(validate('redis://127.0.0.1:6379').redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      commandTimeoutMs: 100,
      readinessTimeoutMs: 500,
      keyPrefix: 'loom:',
    });
    expect(
      validate({ url: 'redis://10.0.0.1:6379', commandTimeoutMs: 50, readinessTimeoutMs: 2000, keyPrefix: 'shop:' })
        .redis,
    ).toEqual({
      url: 'redis://10.0.0.1:6379',
      commandTimeoutMs: 50,
      readinessTimeoutMs: 2000,
      keyPrefix: 'shop:',
    });
  });

  it.each([
    [
      { url: 'redis://127.0.0.1:6379', commandTimeoutMs: 0 },
      'loom.config.ts: redis.commandTimeoutMs must be an integer from 1 to 60000 (ms), got 0',
    ],
    [
      { url: 'redis://127.0.0.1:6379', commandTimeoutMs: 2.5 },
      'loom.config.ts: redis.commandTimeoutMs must be an integer from 1 to 60000 (ms), got 2.5',
    ],
    [
      { url: 'redis://127.0.0.1:6379', readinessTimeoutMs: Infinity },
      'loom.config.ts: redis.readinessTimeoutMs must be an integer from 1 to 60000 (ms), got Infinity',
    ],
    [
      { url: 'redis://127.0.0.1:6379', readinessTimeoutMs: '500' },
      'loom.config.ts: redis.readinessTimeoutMs must be an integer from 1 to 60000 (ms), got "500"',
    ],
    [{ commandTimeoutMs: 100 }, 'loom.config.ts: redis.url is required'],
    [42, 'loom.config.ts: redis must be a URL or an object, got 42'],
  ])('refuses %j', (redis, message) => {
    expect(() => validate(redis)).toThrow(message);
  });
});
