import { validateConfig } from '../../src/config/validate-config';
import type { LoomConfig } from '../../src/config/types';
import { createGateway } from '../../src/server/create-gateway';
import { listen } from '../../src/server/create-http-server';
import type { Logger } from '../../src/logger';
import { postGraphql, REPO_ROOT, type TestGateway } from '../helpers/test-gateway';

/** Like startTestGateway, with the logger the test captures. */
export async function startObservedGateway(config: Omit<LoomConfig, 'port'>, logger: Logger): Promise<TestGateway> {
  const resolved = validateConfig({ ...config, port: 0 }, '<test>', REPO_ROOT);
  const gateway = await createGateway({ config: resolved, logger });
  const server = await listen({ gateway }, 0);
  return {
    url: server.url,
    gateway,
    query: (bff, body, headers) => postGraphql(`${server.url}/${bff}/graphql`, body, headers),
    close: async () => {
      await server.close();
      await gateway.close();
    },
  };
}

export interface LogCapture {
  readonly stream: { write(line: string): void };
  readonly text: () => string;
  /** Resolves with the next JSON line whose `msg` is `msg` (already written or yet to come). */
  next(msg: string): Promise<Record<string, any>>;
}

/** A pino destination that keeps every line and hands them out in order. */
export function captureLogs(): LogCapture {
  const lines: string[] = [];
  let consumed = 0;
  const waiters: Array<{ msg: string; resolve: (line: Record<string, any>) => void }> = [];
  const take = (msg: string) => {
    for (; consumed < lines.length; consumed++) {
      const parsed = JSON.parse(lines[consumed]);
      if (parsed.msg === msg) {
        consumed++;
        return parsed;
      }
    }
    return undefined;
  };
  return {
    stream: {
      write(line: string) {
        lines.push(line);
        const waiter = waiters[0];
        if (!waiter) return;
        const parsed = take(waiter.msg);
        if (parsed) {
          waiters.shift();
          waiter.resolve(parsed);
        }
      },
    },
    text: () => lines.join(''),
    next: (msg) => {
      const parsed = take(msg);
      return parsed ? Promise.resolve(parsed) : new Promise((resolve) => waiters.push({ msg, resolve }));
    },
  };
}
