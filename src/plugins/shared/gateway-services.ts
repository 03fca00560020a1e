import type { Plugin } from 'graphql-yoga';
import { Registry } from 'prom-client';
import { createSilentLogger } from '../../core/logger';
import type { PolicyContext } from '../policy-context';

/** What a policy takes from the gateway: its PolicyContext less the schema (plugins read that in onSchemaChange). */
export type GatewayServices = Omit<PolicyContext, 'schema'>;

const SERVICES = Symbol.for('loom.gatewayServices');

type ServicesCarrier = Plugin & { [SERVICES]?: GatewayServices };

/**
 * Put first in a BFF's plugin list (createBffApp does): the policies after it
 * take the gateway's Redis, metrics, logger and production flag from it.
 */
export function useGatewayServices(services: GatewayServices): Plugin {
  return { [SERVICES]: services } as ServicesCarrier;
}

/**
 * Outside a Loom gateway (a bare Yoga or envelop app): state in memory, a
 * registry of the plugin's own, no logs, production when NODE_ENV says so.
 */
export function standaloneServices(): GatewayServices {
  return {
    bffName: 'graphql',
    production: process.env.NODE_ENV === 'production',
    logger: createSilentLogger(),
    redisKeyPrefix: 'loom:graphql:',
    metrics: new Registry(),
    addReadinessCheck: () => undefined,
  };
}

/**
 * A plain envelop plugin whose working parts are built when the app starts:
 * from the gateway's services when the plugin runs in a Loom BFF (see
 * useGatewayServices), from standalone defaults in any other Yoga or envelop
 * app. The parts take the plugin's place in the list, in order.
 */
export function withGatewayServices(build: (services: GatewayServices) => Plugin | Plugin[]): Plugin {
  return {
    onPluginInit({ plugins, addPlugin }) {
      for (const plugin of [build(findGatewayServices(plugins))].flat()) addPlugin(plugin);
    },
  };
}

/** The gateway's services among an app's plugins (in onPluginInit), else standalone defaults. */
export function findGatewayServices(plugins: readonly unknown[]): GatewayServices {
  const carrier = (plugins as ServicesCarrier[]).find((plugin) => plugin?.[SERVICES] !== undefined);
  return carrier?.[SERVICES] ?? standaloneServices();
}
