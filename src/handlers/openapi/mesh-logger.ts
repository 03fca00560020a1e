import type { Logger as MeshLogger } from '@graphql-mesh/types';
import type { Logger } from '../../core/logger';

type ChildName = string | Record<string, string | number>;

const format = (args: unknown[]) => args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');

/**
 * Adapts pino to the logger interface GraphQL Mesh's loaders expect. Mesh's
 * REST transport asks for a child per upstream call (`{ operation }`) and
 * mostly logs nothing with it, so a child's pino logger is made on its first
 * line that is written, not when it is asked for.
 */
class PinoMeshLogger implements MeshLogger {
  private made: Logger | undefined;

  constructor(
    readonly name: string,
    private readonly parent: Logger,
    private readonly bindings?: ChildName,
  ) {
    if (bindings === undefined) this.made = parent;
  }

  private get logger(): Logger {
    this.made ??= this.parent.child(
      typeof this.bindings === 'string' ? { component: this.bindings } : (this.bindings ?? {}),
    );
    return this.made;
  }

  log(...args: unknown[]) {
    if (this.parent.isLevelEnabled('info')) this.logger.info(format(args));
  }

  info(...args: unknown[]) {
    if (this.parent.isLevelEnabled('info')) this.logger.info(format(args));
  }

  warn(...args: unknown[]) {
    if (this.parent.isLevelEnabled('warn')) this.logger.warn(format(args));
  }

  error(...args: unknown[]) {
    if (this.parent.isLevelEnabled('error')) this.logger.error(format(args));
  }

  debug(...args: unknown[]) {
    if (this.parent.isLevelEnabled('debug')) this.logger.debug(format(args));
  }

  child(childName: ChildName): MeshLogger {
    return new PinoMeshLogger(this.name, this.logger, childName);
  }
}

/** The Mesh logger over a pino logger. */
export function createMeshLogger(logger: Logger, name = 'omnigraph'): MeshLogger {
  return new PinoMeshLogger(name, logger);
}
