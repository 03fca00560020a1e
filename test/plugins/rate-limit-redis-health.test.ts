import pino from 'pino';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { createRedisHealth } from '../../src/plugins/stores/redis-health';
import { getOrCreateCounter, getOrCreateGauge } from '../../src/observability/get-or-create-metric';

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

describe('Redis health of a policy', () => {
  it('logs each change once, sets loom_redis_up per BFF and probes with ping', async () => {
    const { lines, logger } = capturingLogger();
    const metrics = new Registry();
    let reachable = true;
    const redis = { ping: async () => (reachable ? 'PONG' : Promise.reject(new Error('Connection is closed.'))) };
    const web = createRedisHealth({ redis, bffName: 'web', component: 'rate-limit', logger, metrics });
    const mobile = createRedisHealth({ redis, bffName: 'mobile', component: 'response-cache', logger, metrics });
    const gauge = async () =>
      (await metrics.getSingleMetricAsString('loom_redis_up'))
        .split('\n')
        .filter((line) => line.startsWith('loom_redis_up{'));

    expect(await gauge()).toEqual(['loom_redis_up{bff="web"} 1', 'loom_redis_up{bff="mobile"} 1']);
    web.markDown(new Error('ECONNREFUSED'));
    web.markDown(new Error('ECONNREFUSED'));
    expect(web.up).toBe(false);
    expect(mobile.up).toBe(true);
    expect(await gauge()).toEqual(['loom_redis_up{bff="web"} 0', 'loom_redis_up{bff="mobile"} 1']);

    reachable = false;
    expect(await mobile.check()).toBe(false);
    reachable = true;
    expect(await web.check()).toBe(true);
    expect(await gauge()).toEqual(['loom_redis_up{bff="web"} 1', 'loom_redis_up{bff="mobile"} 0']);

    expect(lines.map(({ level, component, msg, err }) => ({ level, component, msg, err }))).toEqual([
      { level: 50, component: 'rate-limit', msg: 'redis unreachable', err: 'ECONNREFUSED' },
      { level: 50, component: 'response-cache', msg: 'redis unreachable', err: 'Connection is closed.' },
      { level: 30, component: 'rate-limit', msg: 'redis reachable again', err: undefined },
    ]);
  });

  it('gets or creates metrics, refusing a name taken by another type', () => {
    const metrics = new Registry();
    const definition = { name: 'loom_cache_hits_total', help: 'hits', labelNames: ['bff'] as const };
    expect(getOrCreateCounter(metrics, definition)).toBe(getOrCreateCounter(metrics, definition));
    expect(() => getOrCreateGauge(metrics, definition)).toThrow(
      'metric loom_cache_hits_total is already registered with another type',
    );
  });
});
