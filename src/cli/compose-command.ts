import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from './load-config';
import { composeBffSchemasWithProgress, displayPath } from './compose-bff-schemas';
import type { CliIo } from './cli-io';

export interface ComposeCommandOptions {
  configFile: string;
  /** No progress lines on stderr. */
  quiet?: boolean;
  io: CliIo;
}

/** `loom compose`: writes schema/<bff>.graphql (sorted, stable) for every BFF. */
export async function runCompose({ configFile, quiet, io }: ComposeCommandOptions): Promise<number> {
  const config = loadConfig(configFile);
  const bffs = await composeBffSchemasWithProgress(config, io, quiet);
  mkdirSync(config.schemaDir, { recursive: true });
  for (const bff of bffs) {
    // A version's `snapshot` may sit outside the schema directory.
    mkdirSync(dirname(bff.snapshotFile), { recursive: true });
    writeFileSync(bff.snapshotFile, bff.sdl);
    io.out(`loom: wrote ${displayPath(bff.snapshotFile)}\n`);
  }
  return 0;
}
