import type { Plugin } from 'graphql-yoga';

const REPLAY_SAFE = Symbol.for('loom.replaySafe');

interface ReplaySafeMark {
  /** Request headers the plugin's decision depends on: they become part of the replay key. */
  keyHeaders: readonly string[];
}

type Marked = Plugin & { [REPLAY_SAFE]?: ReplaySafeMark };

/**
 * Declares that a plugin decides the same way for the same request bytes: the
 * same method, URL, body and `keyHeaders` always get the same answer from it,
 * whoever sends them and however often. A BFF whose every policy is marked may
 * answer a repeated public cache hit without running them again (see
 * createResponseReplay). Auth, rate limits and IP filters are never marked.
 */
export function markReplaySafe<T extends Plugin>(plugin: T, keyHeaders: readonly string[] = []): T {
  (plugin as Marked)[REPLAY_SAFE] = { keyHeaders: keyHeaders.map((name) => name.toLowerCase()) };
  return plugin;
}

/** The headers every policy's answer depends on, or undefined when some policy is not replay-safe. */
export function replayKeyHeaders(plugins: readonly Plugin[]): string[] | undefined {
  const headers = new Set<string>();
  for (const plugin of plugins) {
    const mark = (plugin as Marked)[REPLAY_SAFE];
    if (!mark) return undefined;
    for (const name of mark.keyHeaders) headers.add(name);
  }
  return [...headers].sort();
}
