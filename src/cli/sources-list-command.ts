import { isUrl } from '../handlers/spec-location';
import type { SourceOptions } from '../config/types';
import type { CliIo } from './cli-io';
import { loadConfig } from './load-config';
import { displayPath } from './compose-bff-schemas';

export interface SourcesListOptions {
  configFile: string;
  io: CliIo;
  cwd?: string;
}

function specsOf(source: SourceOptions): string[] {
  switch (source.kind) {
    case 'openapi':
      return [source.spec];
    case 'grpc':
      return Array.isArray(source.proto) ? source.proto : [source.proto];
    case 'soap':
      return [source.wsdl];
    case 'graphql':
      return source.sdl ? [source.sdl] : [];
  }
}

/** `loom sources list`: one line per source of the (validated) config: name, kind, spec, endpoint. */
export function runSourcesList({ configFile, io, cwd = process.cwd() }: SourcesListOptions): number {
  const config = loadConfig(configFile, cwd);
  for (const source of config.sources) {
    const specs = specsOf(source).map((spec) => (isUrl(spec) ? spec : displayPath(spec)));
    const endpoints = Array.isArray(source.endpoint) ? source.endpoint.join(',') : (source.endpoint ?? '-');
    io.out(`${source.name}\t${source.kind}\t${specs.join(',') || '-'}\t${endpoints}\n`);
  }
  return 0;
}
