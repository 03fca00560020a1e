import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface BenchProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly startedAt: bigint;
}

const running: BenchProcess[] = [];

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a child process with its output in bench/out/<name>.log; every one is stopped by stopAll(). */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
  outDir: string,
): BenchProcess {
  mkdirSync(outDir, { recursive: true });
  const log = createWriteStream(join(outDir, `${name}.log`));
  const startedAt = process.hrtime.bigint();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const started = { name, child, pid: child.pid, startedAt };
  running.push(started);
  return started;
}

/** Polls a URL until it answers 2xx; fails if the process exits first or after timeoutMs. */
export async function waitForUrl(url: string, owner: BenchProcess, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (owner.child.exitCode !== null)
      throw new Error(
        `${owner.name} exited (${owner.child.exitCode}) during start-up; see bench/out/${owner.name}.log`,
      );
    try {
      const response = await fetch(url);
      if (response.ok) return Number(process.hrtime.bigint() - owner.startedAt) / 1e6;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`${owner.name} not ready at ${url} after ${timeoutMs} ms`);
}

/** Stops one process by PID: SIGTERM, then SIGKILL after 5 s. */
export function stopProcess({ child }: BenchProcess): Promise<void> {
  const index = running.findIndex((candidate) => candidate.child === child);
  if (index >= 0) running.splice(index, 1);
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Stops every process started here. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(stopProcess));
}
