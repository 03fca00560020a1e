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
    [
      { commandTimeoutMs: 100 },
      'loom.config.ts: redis needs one of url (one server), sentinels + name (Sentinel) or cluster (Redis Cluster)',
    ],
    [42, 'loom.config.ts: redis must be a URL or an object, got 42'],
  ])('refuses %j', (redis, message) => {
    expect(() => validate(redis)).toThrow(message);
  });

  it('takes a Sentinel set-up: sentinels, the master name, optional passwords and db', () => {
    const sentinels = [{ host: '10.0.0.1', port: 26379 }];
    expect(validate({ sentinels, name: 'loom' }).redis).toEqual({
      sentinels,
      name: 'loom',
      commandTimeoutMs: 100,
      readinessTimeoutMs: 500,
      keyPrefix: 'loom:',
    });
    expect(
      validate({ sentinels, name: 'loom', password: 'p', sentinelPassword: 's', db: 2, commandTimeoutMs: 50 }).redis,
    ).toEqual({
      sentinels,
      name: 'loom',
      password: 'p',
      sentinelPassword: 's',
      db: 2,
      commandTimeoutMs: 50,
      readinessTimeoutMs: 500,
      keyPrefix: 'loom:',
    });
  });

  it('takes a Redis Cluster: seed nodes, optional ACL user and password', () => {
    const nodes = [
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7000 },
    ];
    expect(validate({ cluster: { nodes } }).redis).toEqual({
      cluster: { nodes },
      commandTimeoutMs: 100,
      readinessTimeoutMs: 500,
      keyPrefix: 'loom:',
    });
    expect(validate({ cluster: { nodes, username: 'loom', password: 'p' } }).redis).toMatchObject({
      cluster: { nodes, username: 'loom', password: 'p' },
    });
  });

  const node = { host: '127.0.0.1', port: 7000 };
  it.each([
    [
      { url: 'redis://x', cluster: { nodes: [node] } },
      'loom.config.ts: redis takes one of url, sentinels or cluster, got url and cluster',
    ],
    [
      { url: 'redis://x', sentinels: [node], name: 'm' },
      'loom.config.ts: redis takes one of url, sentinels or cluster, got url and sentinels',
    ],
    [{ sentinels: [node] }, 'loom.config.ts: redis.name is required with sentinels (the master name)'],
    [
      { sentinels: [], name: 'm' },
      'loom.config.ts: redis.sentinels must be a non-empty list of sentinels ({ host, port }), got []',
    ],
    [
      { sentinels: [{ host: 'a', port: '1' }], name: 'm' },
      'loom.config.ts: redis.sentinels[0].port must be an integer from 1 to 65535, got "1"',
    ],
    [{ sentinels: [node], name: 'm', db: 16 }, 'loom.config.ts: redis.db must be an integer from 0 to 15, got 16'],
    [
      { cluster: { nodes: [] } },
      'loom.config.ts: redis.cluster.nodes must be a non-empty list of cluster nodes ({ host, port }), got []',
    ],
    [{ cluster: [node] }, 'loom.config.ts: redis.cluster must be an object, got [{"host":"127.0.0.1","port":7000}]'],
    [
      { cluster: { nodes: ['127.0.0.1:7000'] } },
      'loom.config.ts: redis.cluster.nodes[0] must be an object, got "127.0.0.1:7000"',
    ],
    [
      { cluster: { nodes: [{ host: 'a', port: 70000 }] } },
      'loom.config.ts: redis.cluster.nodes[0].port must be an integer from 1 to 65535, got 70000',
    ],
    [
      { cluster: { nodes: [{ host: '', port: 1 }] } },
      'loom.config.ts: redis.cluster.nodes[0].host must be a host name or address, got ""',
    ],
    [
      { cluster: { nodes: [{ ...node, tls: true }] } },
      'loom.config.ts: unknown key "redis.cluster.nodes[0].tls" (known keys: host, port)',
    ],
    [
      { cluster: { nodez: [node] } },
      'loom.config.ts: unknown key "redis.cluster.nodez" (did you mean "redis.cluster.nodes"?)',
    ],
    [{ cluster: { nodes: [node] }, name: 'm' }, 'loom.config.ts: redis.name applies only with sentinels'],
    [
      { cluster: { nodes: [node] }, password: 'hunter2' },
      'loom.config.ts: redis.password applies only with sentinels (a cluster takes cluster.password)',
    ],
    [{ url: 'redis://x', db: 3 }, 'loom.config.ts: redis.db applies only with sentinels (put it in the URL)'],
  ])('refuses the bad shape %j', (redis, message) => {
    expect(() => validate(redis)).toThrow(message);
  });

  it('never quotes a password it refuses', () => {
    for (const redis of [
      { cluster: { nodes: [node], password: 12345 } },
      { sentinels: [node], name: 'm', sentinelPassword: ['hunter2'] },
      { url: 'redis://x', password: 'hunter2' },
    ]) {
      let message = '';
      try {
        validate(redis);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/password .*(must be a non-empty string|applies only with sentinels)/i);
      expect(message).not.toMatch(/12345|hunter2/);
    }
  });
});
