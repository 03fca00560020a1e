import type { Logger as MeshLogger } from '@graphql-mesh/types';
import type { Logger } from '../../core/logger';

/** Adapts pino to the logger interface GraphQL Mesh's loaders expect. */
export function createMeshLogger(logger: Logger, name = 'omnigraph'): MeshLogger {
  const format = (args: unknown[]) =>
    args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
  return {
    name,
    log: (...args: unknown[]) => logger.info(format(args)),
    info: (...args: unknown[]) => logger.info(format(args)),
    warn: (...args: unknown[]) => logger.warn(format(args)),
    error: (...args: unknown[]) => logger.error(format(args)),
    debug: (...args: unknown[]) => (logger.isLevelEnabled('debug') ? logger.debug(format(args)) : undefined),
    child: (childName: string | Record<string, string | number>) =>
      createMeshLogger(logger.child(typeof childName === 'string' ? { component: childName } : childName), name),
  } as MeshLogger;
}
