import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import { createBffView } from './create-bff-view';
import { createGatewayPlugins } from './gateway-plugins';
import { useIntrospectionPolicy } from './use-introspection-policy';
import type { BffDefinition, PolicyContext } from './define-bff';
import type { GatewayContext } from '../handlers/types';

export interface BffApp {
  readonly name: string;
  readonly endpoint: string;
  readonly definition: BffDefinition;
  readonly schema: GraphQLSchema;
  readonly yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
}

export interface CreateBffAppOptions {
  name: string;
  definition: BffDefinition;
  gatewaySchema: GraphQLSchema;
  /** Everything but the schema, which is computed here. */
  policyContext: Omit<PolicyContext, 'schema' | 'bffName'>;
}

function assemblePolicies(definition: BffDefinition, context: PolicyContext): Plugin[] {
  return (definition.policies ?? []).flatMap((policy) => {
    const built = typeof policy === 'function' ? policy(context) : policy;
    return Array.isArray(built) ? built : [built];
  });
}

/** One yoga/envelop instance per BFF: its own schema view and its own policies. */
export function createBffApp({ name, definition, gatewaySchema, policyContext }: CreateBffAppOptions): BffApp {
  // Built once here, at start-up; every request of this BFF runs against this object.
  const schema = createBffView(gatewaySchema, definition.view, name);
  const context: PolicyContext = { ...policyContext, bffName: name, schema };
  const introspection = definition.introspection ?? !context.production;
  const endpoint = `/${name}/graphql`;
  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: endpoint,
    graphiql: (definition.graphiql ?? introspection) ? { title: `Loom · ${name}` } : false,
    landingPage: false,
    logging: false,
    maskedErrors: { isDev: !context.production },
    plugins: [
      ...createGatewayPlugins(context),
      useIntrospectionPolicy({ bffName: name, introspection }),
      ...assemblePolicies(definition, context),
    ],
  });
  return { name, endpoint, definition, schema, yoga };
}
