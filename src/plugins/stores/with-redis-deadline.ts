/** Deadline of one Redis operation of a policy (a rate-limit charge, a cache read or write). */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 100;

/** A Redis operation that did not answer in time: the caller treats it as Redis being down. */
export class RedisTimeoutError extends Error {
  constructor(operation: string, timeoutMs: number) {
    super(`Redis did not answer ${operation} within ${timeoutMs} ms`);
    this.name = 'RedisTimeoutError';
  }
}

/**
 * The operation's answer, or a RedisTimeoutError after `timeoutMs`.
 *
 * A killed Redis fails fast (the socket closes), but a frozen one (stalled
 * host, SIGSTOP, full swap) keeps the connection open and never answers, and
 * ioredis waits forever. The command is not withdrawn: it already sits in the
 * socket, and a thawed Redis still runs it (a late rate-limit charge, a late
 * cache write). ioredis matches the late reply to it, so the connection stays
 * in step; only the caller has stopped waiting.
 */
export function withRedisDeadline<T>(operation: string, timeoutMs: number, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    // Timers run before I/O in each turn of the event loop: after a busy spell the timer
    // would fire ahead of a reply already waiting in the socket. Yielding once first
    // lets that reply win, so only a Redis that has really not answered times out.
    timer = setTimeout(() => setImmediate(() => reject(new RedisTimeoutError(operation, timeoutMs))), timeoutMs);
    // A pending deadline must not keep a closing process alive.
    timer.unref();
  });
  // Promise.race subscribes to the command too, so its late rejection is handled.
  const command = (async () => run())();
  return Promise.race([command, expired]).finally(() => clearTimeout(timer));
}
