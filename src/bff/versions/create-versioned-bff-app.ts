import type { GraphQLSchema } from 'graphql';
import { createBffApp, type BffApp, type CreateBffAppOptions } from '../create-bff-app';
import { createBffView } from '../create-bff-view';
import type { BffDefinition } from '../define-bff';
import { applyVersionMappings } from './apply-version-mappings';
import type { ResolvedVersion, ResolvedVersioning } from './parse-versioning';
import { createVersionLifecycle } from './version-lifecycle';
import { useVersionLifecycle } from './use-version-lifecycle';

export interface CreateVersionedBffAppOptions extends Omit<CreateBffAppOptions, 'served'> {
  versioning: ResolvedVersioning;
  /** Epoch ms now, for deprecation and sunset. @default Date.now */
  now?: () => number;
}

/** `/<bff>/<version>/graphql`: the path that always names this version. */
export const versionPath = (bffName: string, version: string) => `/${bffName}/${version}/graphql`;

/** The version's own view and policies (or the BFF's), without the versioning keys. */
function definitionOf(definition: BffDefinition, version: ResolvedVersion): BffDefinition {
  const { versions: _versions, currentVersion: _current, versioning: _versioning, ...rest } = definition;
  return { ...rest, view: version.view, policies: [...version.policies] };
}

/** Every version's schema, as it is served: its view of the graph, then its mappings. */
export function createVersionSchemas(
  bffName: string,
  definition: BffDefinition,
  versioning: ResolvedVersioning,
  gatewaySchema: GraphQLSchema,
): Array<{ version: ResolvedVersion; schema: GraphQLSchema }> {
  return [...versioning.versions.values()].map((version) => ({
    version,
    schema: applyVersionMappings(
      bffName,
      version.name,
      createBffView(gatewaySchema, version.view, bffName),
      version.mappings,
    ),
  }));
}

/**
 * One Yoga app per version, each with its own schema (view + mappings),
 * policies and lifecycle; the current version also answers `/<bff>/graphql`.
 * Versions other than the current keep their own Redis keys
 * (`loom:<bff>@<version>:`): a response cached for one shape never answers
 * another. Returns the current version's app, carrying the whole set.
 */
export function createVersionedBffApp(options: CreateVersionedBffAppOptions): BffApp {
  const { name, versioning, now = Date.now, policyContext } = options;
  const apps = new Map<string, BffApp>();
  const routedHere = (version: string) =>
    versioning.routingHeader !== undefined || versioning.clientRoutes.some((route) => route.version === version);
  for (const version of versioning.versions.values()) {
    const own = versionPath(name, version.name);
    const endpoint = version.current ? `/${name}/graphql` : own;
    const aliases = version.current ? [own] : routedHere(version.name) ? [`/${name}/graphql`] : [];
    const successorPath = version.deprecation ? versionPath(name, version.deprecation.successor) : undefined;
    const suffix = version.current ? '' : `@${version.name}`;
    const app = createBffApp({
      ...options,
      definition: definitionOf(options.definition, version),
      policyContext: {
        ...policyContext,
        logger: policyContext.logger.child({ version: version.name }),
        redisKeyPrefix: version.current
          ? policyContext.redisKeyPrefix
          : `${policyContext.redisKeyPrefix.replace(/:$/, '')}${suffix}:`,
        addReadinessCheck: (checkName, check) => policyContext.addReadinessCheck(`${checkName}${suffix}`, check),
      },
      served: {
        version: version.name,
        endpoint,
        aliases,
        // Version and BFF names are path-safe ([A-Za-z0-9_-]): nothing in them is URLPattern syntax.
        endpointPattern: aliases.length ? `/${name}{/${version.name}}?/graphql` : endpoint,
        mapSchema: (view) => applyVersionMappings(name, version.name, view, version.mappings),
        plugins: [
          useVersionLifecycle({
            bffName: name,
            version: version.name,
            lifecycle: createVersionLifecycle(version.current, version.deprecation, successorPath),
            successorPath,
            clientHeaders: versioning.clientHeaders,
            now,
            registry: policyContext.metrics,
            maxClientLabels: versioning.maxClientLabels,
            routingHeaders: [
              ...(versioning.routingHeader ? [versioning.routingHeader] : []),
              ...(versioning.clientRoutes.length
                ? [versioning.clientHeaders.name, versioning.clientHeaders.version]
                : []),
            ],
            routedPath: `/${name}/graphql`,
          }),
        ],
      },
    });
    apps.set(version.name, app);
  }
  const current = apps.get(versioning.current)!;
  return {
    ...current,
    versions: {
      current: versioning.current,
      apps,
      routingHeader: versioning.routingHeader,
      clientRoutes: versioning.clientRoutes,
      clientHeaders: versioning.clientHeaders,
    },
  };
}

/** Every Yoga app of a gateway's BFFs, versions included (for shutdown). */
export function everyBffApp(bffs: Iterable<BffApp>): BffApp[] {
  return [...bffs].flatMap((app) => (app.versions ? [...app.versions.apps.values()] : [app]));
}
