import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from './load-config';
import { composeBffSchemas, displayPath } from './compose-bff-schemas';
import { createLogger } from '../core/logger';
import type { CliIo } from './cli-io';
import { createProgress, describeCount, withProgress } from './progress';

export interface ComposeCommandOptions {
  configFile: string;
  /** No progress lines on stderr. */
  quiet?: boolean;
  io: CliIo;
}

/** `loom compose`: writes schema/<bff>.graphql (sorted, stable) for every BFF. */
export async function runCompose({ configFile, quiet, io }: ComposeCommandOptions): Promise<number> {
  const config = loadConfig(configFile);
  // Progress on stderr: stdout is the command's output (the file list, the check report).
  const bffs = await withProgress(
    createProgress(io, quiet),
    `loading and composing ${describeCount(
      'source',
      config.sources.map((source) => source.name),
    )}`,
    'composed',
    () =>
      composeBffSchemas(
        config,
        createLogger({ level: 'warn', destination: { write: (line: string) => io.err(line) } }),
      ),
  );
  mkdirSync(config.schemaDir, { recursive: true });
  for (const bff of bffs) {
    // A version's `snapshot` may sit outside the schema directory.
    mkdirSync(dirname(bff.snapshotFile), { recursive: true });
    writeFileSync(bff.snapshotFile, bff.sdl);
    io.out(`loom: wrote ${displayPath(bff.snapshotFile)}\n`);
  }
  return 0;
}
