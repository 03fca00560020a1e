import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ResolvedConfig } from '../config/types';
import type { SourceOptions } from '../handlers/source-options';
import { isUrl } from '../handlers/spec-location';
import type { Logger } from '../core/logger';

export interface ProjectWatcher {
  /** Watches what `config` names (after a reload changed it). */
  update(config: ResolvedConfig): void;
  close(): void;
}

export interface WatchProjectOptions {
  config: ResolvedConfig;
  /** Called once a burst of changes has settled, with one of the files that changed. */
  onChange(file: string): void;
  logger: Logger;
  /** Quiet time after the last change before `onChange`, in ms: an editor's save is several events. @default 150 */
  settleMs?: number;
}

/** Temporary files of editors and of `loom sources add`: their own changes are not changes of the project. */
const TEMPORARY = /^\.loom-|\.tmp$|~$|\.swp$|^\.#|^4913$/;
/** What a config, a BFF file or a spec can be; a README or a log beside the config is not a reason to reload. */
const PROJECT_FILE = /\.([cm]?[jt]s|json|ya?ml|proto|wsdl|xsd|graphql|gql)$/;
const isNoise = (name: string) =>
  TEMPORARY.test(basename(name)) ||
  !PROJECT_FILE.test(name) ||
  basename(name) === 'package-lock.json' ||
  basename(name) === 'package.json';

function specFiles(source: SourceOptions): string[] {
  switch (source.kind) {
    case 'openapi':
      return [source.spec];
    case 'grpc':
      return [...(Array.isArray(source.proto) ? source.proto : [source.proto]), ...(source.includeDirs ?? [])];
    case 'soap':
      return [source.wsdl];
    case 'graphql':
      return source.sdl ? [source.sdl] : [];
  }
}

/** Folders to watch: the config's, sources/ (deep), the BFF files' and every local spec's. */
function watchedFolders(config: ResolvedConfig): Map<string, boolean> {
  const folders = new Map<string, boolean>([[config.configDir, false]]);
  const sources = join(config.configDir, 'sources');
  if (existsSync(sources)) folders.set(sources, true);
  for (const file of Object.values(config.bffs)) folders.set(dirname(file), folders.get(dirname(file)) ?? false);
  for (const source of config.sources)
    for (const spec of specFiles(source))
      if (!isUrl(spec) && !spec.startsWith(`${sources}/`))
        folders.set(dirname(spec), folders.get(dirname(spec)) ?? false);
  return folders;
}

/**
 * `loom serve --watch`: fs.watch over the project's folders (folders, not
 * files, so an editor that saves by renaming is still seen), settled into one
 * call per burst of changes.
 */
export function watchProject({ config, onChange, logger, settleMs = 150 }: WatchProjectOptions): ProjectWatcher {
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let changed = '';
  const start = (current: ResolvedConfig) => {
    for (const [folder, recursive] of watchedFolders(current)) {
      try {
        const watcher = watch(folder, { recursive, persistent: false }, (_event, name) => {
          if (!name || isNoise(String(name))) return;
          changed = join(folder, String(name));
          clearTimeout(timer);
          timer = setTimeout(() => onChange(changed), settleMs);
        });
        watcher.on('error', (error) => logger.warn({ folder, err: error.message }, 'watch: folder no longer watched'));
        watchers.push(watcher);
      } catch (error) {
        logger.warn({ folder, err: (error as Error).message }, 'watch: cannot watch folder');
      }
    }
  };
  const stop = () => {
    for (const watcher of watchers) watcher.close();
    watchers = [];
  };
  start(config);
  return {
    update: (next) => {
      stop();
      start(next);
    },
    close: () => {
      clearTimeout(timer);
      stop();
    },
  };
}
