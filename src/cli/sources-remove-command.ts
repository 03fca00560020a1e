import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ConfigError } from '../core/errors';
import type { CliIo } from './cli-io';
import { editSourcesList } from './config-file-editor';
import { dryRunGateway } from './dry-run-gateway';

export interface SourcesRemoveOptions {
  configFile: string;
  name?: string;
  dryRun?: boolean;
  io: CliIo;
  cwd?: string;
}

/**
 * `loom sources remove <name>`: takes the source out of the config (an edit
 * of its syntax tree), composes and builds every BFF without it as serve
 * would (a link that needs it fails here, not at the next start), prints what
 * `loom check` finds, then writes the config and deletes sources/<name>/.
 */
export async function runSourcesRemove({
  configFile,
  name,
  dryRun = false,
  io,
  cwd = process.cwd(),
}: SourcesRemoveOptions): Promise<number> {
  if (!name) throw new ConfigError('sources remove: name the source to remove');
  const file = resolve(cwd, configFile);
  if (!existsSync(file)) throw new ConfigError(`${configFile}: config file not found`);
  const edited = editSourcesList(readFileSync(file, 'utf8'), configFile).withoutSource(name);
  const progress = (line: string) => io.err(`loom: sources remove: ${line}\n`);
  const staged = join(dirname(file), `.loom-sources-remove-${process.pid}.ts`);
  try {
    writeFileSync(staged, edited);
    let report;
    try {
      report = await dryRunGateway({ configFile: staged, cwd, progress });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new ConfigError(error.message.split(relative(cwd, staged)).join(configFile).split(staged).join(configFile));
    }
    for (const line of report.checkLines) progress(`loom check: ${line}`);
  } finally {
    rmSync(staged, { force: true });
  }
  const folder = join(dirname(file), 'sources', name);
  if (dryRun) {
    io.out(`loom: dry run: source "${name}" would be removed from ${configFile}; nothing written\n`);
    return 0;
  }
  const temporary = `${file}.loom-${process.pid}.tmp`;
  writeFileSync(temporary, edited);
  renameSync(temporary, file);
  const hadFolder = existsSync(folder);
  if (hadFolder) rmSync(folder, { recursive: true, force: true });
  io.out(
    `loom: removed source "${name}" from ${configFile}${hadFolder ? ` and ./${relative(dirname(file), folder)}/` : ''}\n`,
  );
  return 0;
}
