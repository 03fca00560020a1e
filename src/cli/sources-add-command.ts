import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { Registry } from 'prom-client';
import { ConfigError } from '../core/errors';
import { formatConfigIssues, PARSE_OPTIONS } from '../core/format-config-issues';
import { ENDPOINT_SCHEMAS } from '../upstream/endpoint-schemas';
import { loadSource } from '../handlers/registry';
import { createSilentLogger } from '../core/logger';
import type { SourceOptions } from '../config/types';
import type { CliIo } from './cli-io';

export interface SourcesAddOptions {
  configFile: string;
  name?: string;
  openapi?: string;
  proto?: string;
  wsdl?: string;
  endpoint?: string;
  io: CliIo;
  cwd?: string;
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

function specOf({ openapi, proto, wsdl }: SourcesAddOptions): {
  kind: 'openapi' | 'grpc' | 'soap';
  file: string;
  target: string;
} {
  const given = [
    openapi && {
      kind: 'openapi' as const,
      file: openapi,
      target: `openapi${openapi.match(/\.(json|ya?ml)$/i)?.[0] ?? '.yaml'}`,
    },
    proto && { kind: 'grpc' as const, file: proto, target: basename(proto) },
    wsdl && { kind: 'soap' as const, file: wsdl, target: basename(wsdl) },
  ].filter(Boolean);
  if (given.length !== 1) throw new ConfigError('sources add: give exactly one of --openapi, --proto or --wsdl');
  return given[0] as { kind: 'openapi' | 'grpc' | 'soap'; file: string; target: string };
}

function sourceEntry(name: string, kind: string, specPath: string, endpoint: string): string {
  const field = kind === 'openapi' ? 'spec' : kind === 'grpc' ? 'proto' : 'wsdl';
  return `    { name: ${JSON.stringify(name)}, kind: '${kind}', ${field}: ${JSON.stringify(specPath)}, endpoint: ${JSON.stringify(endpoint)} },\n`;
}

/**
 * `loom sources add <name> --openapi|--proto|--wsdl <file> --endpoint <url>`:
 * loads the spec with its handler (a broken spec is refused before anything
 * is written), copies it to sources/<name>/ and adds the source to the
 * config's `sources` list.
 */
export async function runSourcesAdd(options: SourcesAddOptions): Promise<number> {
  const { name, endpoint, io, cwd = process.cwd() } = options;
  if (!name || !NAME.test(name)) throw new ConfigError(`sources add: the source name must match ${NAME}`);
  if (!endpoint) throw new ConfigError('sources add: --endpoint is required');
  const { kind, file, target } = specOf(options);
  // The same parse as the config's, so `sources add` never writes an entry the config then refuses.
  const parsedEndpoint = ENDPOINT_SCHEMAS[kind === 'grpc' ? 'address' : 'url'].safeParse(endpoint, PARSE_OPTIONS);
  if (!parsedEndpoint.success)
    throw new ConfigError(`sources add: --endpoint ${formatConfigIssues(parsedEndpoint.error.issues)[0]}`);
  const specFile = resolve(cwd, file);
  if (!existsSync(specFile)) throw new ConfigError(`sources add: ${file} not found`);
  const configFile = resolve(cwd, options.configFile);
  if (!existsSync(configFile)) throw new ConfigError(`${options.configFile}: config file not found`);
  const configText = readFileSync(configFile, 'utf8');
  if (new RegExp(`name:\\s*['"]${name}['"]`).test(configText))
    throw new ConfigError(`sources add: ${options.configFile} already has a source "${name}"`);
  const anchor = /sources:\s*\[\s*\n/.exec(configText);
  if (!anchor)
    throw new ConfigError(`sources add: cannot find the sources list in ${options.configFile}; add the source by hand`);

  const candidate = {
    name,
    kind,
    endpoint,
    ...(kind === 'openapi' ? { spec: specFile } : kind === 'grpc' ? { proto: specFile } : { wsdl: specFile }),
  } as SourceOptions;
  const loaded = await loadSource(candidate, {
    configDir: dirname(specFile),
    logger: createSilentLogger(),
    metrics: new Registry(),
  });
  await loaded.close?.();

  const configDir = dirname(configFile);
  const folder = resolve(configDir, 'sources', name);
  mkdirSync(folder, { recursive: true });
  copyFileSync(specFile, resolve(folder, target));
  const specPath = `./${relative(configDir, resolve(folder, target))}`;
  const insertAt = anchor.index + anchor[0].length;
  writeFileSync(
    configFile,
    configText.slice(0, insertAt) + sourceEntry(name, kind, specPath, endpoint) + configText.slice(insertAt),
  );
  const fields =
    Object.keys(loaded.schema.getQueryType()?.getFields() ?? {}).length +
    Object.keys(loaded.schema.getMutationType()?.getFields() ?? {}).length;
  io.out(`loom: added ${kind} source "${name}" (${fields} root fields) from ${specPath} to ${options.configFile}\n`);
  return 0;
}
