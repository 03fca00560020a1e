import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, startRedisChild, type RedisChild } from '../fixtures/ratelimit/redis-child';

export interface RedisSentinelUnderTest {
  /** The master's name in the Sentinel's config. */
  readonly name: string;
  /** The one Sentinel, as `redis: { sentinels }` takes it. */
  readonly sentinels: ReadonlyArray<{ host: string; port: number }>;
  readonly masterPort: number;
  /** Kills the master (SIGKILL). */
  killMaster(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One master (a plain redis-server) and one Sentinel watching it
 * (`redis-server <conf> --sentinel`, quorum 1), on free ports, in a temp folder
 * (the Sentinel rewrites its config file).
 */
export async function startRedisSentinel(name = 'loom'): Promise<RedisSentinelUnderTest> {
  const directory = mkdtempSync(join(tmpdir(), 'loom-redis-sentinel-'));
  const masterPort = await findFreePort();
  let master: RedisChild | undefined;
  let sentinel: ChildProcess | undefined;
  const close = async () => {
    if (sentinel && sentinel.exitCode === null && sentinel.signalCode === null) {
      const exited = once(sentinel, 'exit');
      sentinel.kill('SIGKILL');
      await exited;
    }
    await master?.stop();
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    master = await startRedisChild(masterPort);
    const sentinelPort = await findFreePort();
    const config = join(directory, 'sentinel.conf');
    writeFileSync(
      config,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${directory}`,
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${name} 5000`,
        '',
      ].join('\n'),
    );
    const child = spawn('redis-server', [config, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
    sentinel = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        // The Sentinel logs `+monitor master <name> ...` once it watches the master.
        if (output.includes(`+monitor master ${name}`)) resolve();
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`redis sentinel exited with ${code}: ${output.slice(-500)}`)));
    });
    return {
      name,
      sentinels: [{ host: '127.0.0.1', port: sentinelPort }],
      masterPort,
      killMaster: async () => {
        await master?.stop();
        master = undefined;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
