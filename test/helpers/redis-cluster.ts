import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { findFreePort } from '../fixtures/ratelimit/redis-child';

const run = promisify(execFile);

/** A node's cluster bus listens on its port + 10000; both must be free. */
const BUS_PORT_OFFSET = 10_000;

/**
 * How long a silent node stays a member before the others mark it failed and
 * the cluster refuses commands (`cluster_state:fail`). Short enough for a test
 * to see it, long enough that a busy machine does not fail a healthy node.
 */
export const CLUSTER_NODE_TIMEOUT_MS = 5_000;

export interface RedisClusterNode {
  readonly host: '127.0.0.1';
  readonly port: number;
}

export interface RedisClusterUnderTest {
  /** The three masters, as `redis: { cluster: { nodes } }` takes them. */
  readonly nodes: readonly RedisClusterNode[];
  /** Kills one node (SIGKILL, as in a crash) and waits for its exit. */
  kill(index: number): Promise<void>;
  /** Starts a killed node again on its port and node file: it rejoins with its slots. */
  restart(index: number): Promise<void>;
  /** `cluster_state` of each running node (`ok`, `fail`). */
  states(): Promise<string[]>;
  /** The index of the node that serves `key`'s hash slot. */
  ownerOf(key: string): Promise<number>;
  /** Kills every node and removes the temp folder. */
  close(): Promise<void>;
}

/** A port whose bus port (port + 10000) is free too. */
async function findClusterPort(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = await findFreePort();
    if (port + BUS_PORT_OFFSET > 65_535 || taken.has(port)) continue;
    if (await isFree(port + BUS_PORT_OFFSET)) return port;
  }
  throw new Error('no free port pair (port, port + 10000) for a Redis Cluster node');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function startNode(port: number, directory: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      directory,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(directory, `nodes-${port}.conf`),
      '--cluster-node-timeout',
      String(CLUSTER_NODE_TIMEOUT_MS),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`redis-server --cluster-enabled on ${port} exited with ${code}: ${output.slice(-500)}`)),
    );
  });
  return child;
}

async function stopNode(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** Polls `condition` every 100 ms until it holds; throws with `what` after `timeoutMs` (generous: the machine is shared). */
export async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function clusterState(port: number): Promise<string> {
  const connection = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  connection.on('error', () => undefined);
  try {
    await connection.connect();
    const info = await connection.cluster('INFO');
    return /cluster_state:(\w+)/.exec(String(info))?.[1] ?? 'unknown';
  } finally {
    connection.disconnect();
  }
}

/**
 * Three `redis-server --cluster-enabled yes` masters (no replicas, no
 * persistence) on free ports in a temp folder, joined with
 * `redis-cli --cluster create`; resolves once every node says
 * `cluster_state:ok`.
 */
export async function startRedisCluster(): Promise<RedisClusterUnderTest> {
  const directory = mkdtempSync(join(tmpdir(), 'loom-redis-cluster-'));
  const ports: number[] = [];
  const children: Array<ChildProcess | undefined> = [];
  const close = async () => {
    await Promise.all(children.map((child) => stopNode(child)));
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < 3; index += 1) ports.push(await findClusterPort(new Set(ports)));
    for (const port of ports) children.push(await startNode(port, directory));
    await run(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 60_000 },
    );
    await waitFor('cluster_state:ok on every node', async () =>
      (await Promise.all(ports.map(clusterState))).every((state) => state === 'ok'),
    );
  } catch (error) {
    await close();
    throw error;
  }
  return {
    nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    kill: async (index) => {
      await stopNode(children[index]);
      children[index] = undefined;
    },
    restart: async (index) => {
      children[index] = await startNode(ports[index], directory);
    },
    states: () =>
      Promise.all(ports.filter((_, index) => children[index] !== undefined).map((port) => clusterState(port))),
    ownerOf: async (key) => {
      const connection = new Redis({ port: ports[0], host: '127.0.0.1', maxRetriesPerRequest: 0 });
      try {
        const slot = await connection.cluster('KEYSLOT', key);
        const ranges = await connection.cluster('SLOTS');
        const owner = ranges.find(([first, last]) => slot >= first && slot <= last)?.[2];
        if (!owner) throw new Error(`no node serves slot ${slot}`);
        return ports.indexOf(Number(owner[1]));
      } finally {
        connection.disconnect();
      }
    },
    close,
  };
}
