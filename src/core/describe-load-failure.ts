import { relative } from 'node:path';

/**
 * esbuild (through tsx) reports a syntax error as `Transform failed with 1
 * error:` and puts the place and the cause on the next line,
 * `/abs/file.ts:1:28: ERROR: Unexpected ";"`.
 */
const TRANSFORM_ERROR = /^(.+):(\d+):(\d+): ERROR: (.+)$/m;

/**
 * One line for a TypeScript file (config, BFF) that failed to load: a syntax
 * error as `file:line:column: syntax error: <cause>` (the error may be in a
 * file it imports), anything else as `<shown>: cannot load: <first line>`.
 * `shown` is the file as the user named it.
 */
export function describeLoadFailure(shown: string, absolute: string, cwd: string, error: unknown): string {
  const message = String((error as Error | undefined)?.message ?? error);
  const located = message.startsWith('Transform failed') ? TRANSFORM_ERROR.exec(message) : null;
  if (located) {
    const [, file, line, column, cause] = located;
    const where = file === absolute ? shown : relative(cwd, file!).startsWith('..') ? file : relative(cwd, file!);
    // esbuild counts columns from 0; editors and compilers from 1.
    return `${where}:${line}:${Number(column) + 1}: syntax error: ${cause}`;
  }
  return `${shown}: cannot load: ${message.split('\n')[0]}`;
}

/** A file as the user would name it: relative to `cwd` when below it, else absolute. */
export function shownPath(absolute: string, cwd = process.cwd()): string {
  const fromCwd = relative(cwd, absolute);
  return fromCwd && !fromCwd.startsWith('..') ? fromCwd : absolute;
}
