import type { CliIo } from './cli-io';

/** Prints what a long step is doing, on stderr, so stdout stays the command's output. */
export type Progress = (text: string) => void;

export function createProgress(io: CliIo, quiet = false): Progress {
  return quiet ? () => undefined : (text) => io.err(`loom: ${text}\n`);
}

/** Runs `step` between a "doing" line and a "done in N ms" line. */
export async function withProgress<T>(
  progress: Progress,
  doing: string,
  done: string,
  step: () => Promise<T>,
): Promise<T> {
  const startedAt = performance.now();
  progress(`${doing}...`);
  const result = await step();
  progress(`${done} in ${Math.round(performance.now() - startedAt)} ms`);
  return result;
}

/** "3 sources (catalog, orders, billing)". */
export function describeCount(noun: string, names: readonly string[]): string {
  return `${names.length} ${noun}${names.length === 1 ? '' : 's'} (${names.join(', ')})`;
}
