import { compareNames } from '../../core/compare-names';
import {
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLOutputType,
} from 'graphql';
import * as protobuf from 'protobufjs';
import { graphqlToProto, OneofConflict, protoToGraphql } from './convert-values';
import { oneofConflict } from '../../core/errors';
import { withInternalQuery } from '../with-internal-query';
import { GrpcTypeMapper } from './grpc-type-mapper';
import type { GatewayContext } from '../../core/context';

type Decoded = Record<string, unknown>;
export type GrpcOperationKind = 'query' | 'mutation' | 'subscription' | 'skip';

/** What resolvers call; the real one is GrpcSourceClient. */
export interface GrpcCaller {
  unary(method: protobuf.Method, request: Decoded, context: GatewayContext | undefined): Promise<Decoded>;
  serverStream(
    method: protobuf.Method,
    request: Decoded,
    context: GatewayContext | undefined,
    deadline?: boolean,
  ): AsyncIterable<Decoded>;
  streamFromList(method: protobuf.Method, requests: Decoded[], context: GatewayContext | undefined): Promise<Decoded[]>;
}

export interface GrpcSchemaOptions {
  services: readonly protobuf.Service[];
  /** Overrides keyed by `Service.Method` or `Method`. */
  methods?: Record<string, GrpcOperationKind>;
  caller: GrpcCaller;
  /** Source name, for errors raised before the call. */
  source: string;
}

export interface GrpcSchemaResult {
  /** What clients see (no Query type when no method is a query). */
  schema: GraphQLSchema;
  /** What the executor runs: the same types, valid for graphql-js even without query methods. */
  executableSchema: GraphQLSchema;
  warnings: string[];
}

const READ_PREFIXES = /^(Get|List|Find|Search|Watch|Check|Query|Fetch|Lookup|Batch(Get|Lookup))/;

const lowerFirst = (name: string) => name[0].toLowerCase() + name.slice(1);

/** Every message and enum reachable from the services' methods, for naming. */
function reachableTypes(services: readonly protobuf.Service[]): Array<protobuf.Type | protobuf.Enum> {
  const seen = new Map<string, protobuf.Type | protobuf.Enum>();
  const visit = (type: protobuf.Type | protobuf.Enum | null) => {
    if (!type || seen.has(type.fullName)) return;
    seen.set(type.fullName, type);
    if (type instanceof protobuf.Type)
      for (const field of type.fieldsArray) visit(field.resolvedType as protobuf.Type | protobuf.Enum | null);
  };
  for (const service of services) {
    for (const method of service.methodsArray) {
      visit(method.resolvedRequestType);
      visit(method.resolvedResponseType);
    }
  }
  return [...seen.values()].sort((a, b) => compareNames(a.fullName, b.fullName));
}

/** A response that only wraps one repeated message field (`OrderList { repeated Order orders }`) is answered as that list. */
function unwrappedListField(type: protobuf.Type): protobuf.Field | undefined {
  const [only, ...rest] = type.fieldsArray;
  return only && rest.length === 0 && only.repeated && !only.map && only.resolvedType instanceof protobuf.Type
    ? only
    : undefined;
}

function operationKind(
  method: protobuf.Method,
  overrides: Record<string, GrpcOperationKind>,
): GrpcOperationKind | undefined {
  const service = (method.parent as protobuf.Service).name;
  const override = overrides[`${service}.${method.name}`] ?? overrides[method.name];
  if (override) return override;
  if (method.requestStream) return undefined;
  if (method.responseStream) return 'subscription';
  return READ_PREFIXES.test(method.name) ? 'query' : 'mutation';
}

function argumentsOf(mapper: GrpcTypeMapper, type: protobuf.Type): GraphQLFieldConfigArgumentMap {
  if (type.fullName === '.google.protobuf.Empty') return {};
  const args: GraphQLFieldConfigArgumentMap = {};
  for (const field of type.fieldsArray)
    args[field.name] = { type: mapper.fieldInput(field, type), description: field.comment ?? undefined };
  return args;
}

interface MethodFields {
  query?: GraphQLFieldConfig<unknown, GatewayContext>;
  mutation?: GraphQLFieldConfig<unknown, GatewayContext>;
  subscription?: GraphQLFieldConfig<unknown, GatewayContext>;
}

/** Arguments -> request message; a set of oneof members that cannot be sent is the client's error. */
function requestFrom(source: string, type: protobuf.Type, input: Decoded, path: readonly string[] = []): Decoded {
  try {
    return graphqlToProto(type, input, path);
  } catch (error) {
    if (error instanceof OneofConflict) throw oneofConflict(source, error.oneof, error.members);
    throw error;
  }
}

function buildMethodFields(
  method: protobuf.Method,
  kind: GrpcOperationKind,
  mapper: GrpcTypeMapper,
  caller: GrpcCaller,
  source: string,
): MethodFields {
  const requestType = method.resolvedRequestType!;
  const toRequest = (input: Decoded, path?: readonly string[]) => requestFrom(source, requestType, input, path);
  const responseType = method.resolvedResponseType!;
  const listField = unwrappedListField(responseType);
  const single: GraphQLOutputType = listField
    ? new GraphQLNonNull(new GraphQLList(mapper.messageOutput(listField.resolvedType as protobuf.Type)))
    : mapper.messageOutput(responseType);
  const toGraphql = (decoded: Decoded) => {
    const converted = protoToGraphql(responseType, decoded) as Record<string, unknown>;
    return listField ? converted[listField.name] : converted;
  };
  const description = method.comment ?? undefined;
  const args = argumentsOf(mapper, requestType);
  if (method.requestStream) {
    // Mapped client-streaming/bidi: the client sends the stream as a list.
    const field: GraphQLFieldConfig<unknown, GatewayContext> = {
      type: new GraphQLNonNull(new GraphQLList(single)),
      description,
      args: {
        requests: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(mapper.messageInput(requestType)))) },
      },
      resolve: async (_root, { requests }: { requests: Decoded[] }, context) =>
        (
          await caller.streamFromList(
            method,
            requests.map((request, index) => toRequest(request, ['requests', String(index)])),
            context,
          )
        ).map(toGraphql),
    };
    return kind === 'query' ? { query: field } : { mutation: field };
  }
  if (method.responseStream) {
    const collected: GraphQLFieldConfig<unknown, GatewayContext> = {
      type: new GraphQLNonNull(new GraphQLList(single)),
      description: `${description ?? method.name}: the whole stream, collected into a list.`,
      args,
      resolve: async (_root, input: Decoded, context) => {
        const items: unknown[] = [];
        for await (const message of caller.serverStream(method, toRequest(input), context))
          items.push(toGraphql(message));
        return items;
      },
    };
    const live: GraphQLFieldConfig<unknown, GatewayContext> = {
      type: single,
      description,
      args,
      subscribe: (_root, input: Decoded, context) => caller.serverStream(method, toRequest(input), context, false),
      resolve: (message: unknown) => toGraphql(message as Decoded),
    };
    // Many streams never end (grpc.health.v1 Watch): a Query collecting one would
    // wait forever. Collected lists only where the config says the stream ends.
    if (kind === 'query') return { query: collected, subscription: live };
    return kind === 'subscription' ? { subscription: live } : { mutation: collected };
  }
  const field: GraphQLFieldConfig<unknown, GatewayContext> = {
    type: single,
    description,
    args,
    resolve: async (_root, input: Decoded, context) => toGraphql(await caller.unary(method, toRequest(input), context)),
  };
  return kind === 'mutation' ? { mutation: field } : { query: field };
}

/**
 * A .proto's services as an executable GraphQL schema. Deterministic: the same
 * protos give the same SDL. Unary reads (Get/List/Find/Search/Watch...) go to
 * Query, other unary methods to Mutation, server streams to Subscription (plus
 * a Query that collects the stream when `methods` maps it to 'query'); client-streaming and bidi methods are
 * skipped with a warning unless `methods` maps them.
 */
export function buildGrpcSchema({ services, methods = {}, caller, source }: GrpcSchemaOptions): GrpcSchemaResult {
  const mapper = new GrpcTypeMapper(reachableTypes(services));
  const roots = {
    query: {} as Record<string, GraphQLFieldConfig<unknown, GatewayContext>>,
    mutation: {} as Record<string, GraphQLFieldConfig<unknown, GatewayContext>>,
    subscription: {} as Record<string, GraphQLFieldConfig<unknown, GatewayContext>>,
  };
  const warnings: string[] = [];
  const methodNames = services.flatMap((service) => service.methodsArray.map((method) => lowerFirst(method.name)));
  for (const service of services) {
    for (const method of service.methodsArray) {
      const kind = operationKind(method, methods);
      if (kind === undefined) {
        warnings.push(
          `${service.name}.${method.name} is ${method.responseStream ? 'bidirectional' : 'client'}-streaming: skipped (map it with methods: { '${service.name}.${method.name}': 'mutation' })`,
        );
        continue;
      }
      if (kind === 'skip') continue;
      const clashes = methodNames.filter((name) => name === lowerFirst(method.name)).length > 1;
      const fieldName = clashes ? `${lowerFirst(service.name)}${method.name}` : lowerFirst(method.name);
      for (const [operation, field] of Object.entries(buildMethodFields(method, kind, mapper, caller, source))) {
        if (field) roots[operation as keyof typeof roots][fieldName] = field;
      }
    }
  }
  // No placeholder when there is no query method (see withInternalQuery).
  const object = (name: string, fields: Record<string, GraphQLFieldConfig<unknown, GatewayContext>>) =>
    Object.keys(fields).length
      ? new GraphQLObjectType({
          name,
          fields: () => Object.fromEntries(Object.entries(fields).sort(([a], [b]) => compareNames(a, b))),
        })
      : undefined;
  const schema = new GraphQLSchema({
    query: object('Query', roots.query),
    mutation: object('Mutation', roots.mutation),
    subscription: object('Subscription', roots.subscription),
  });
  return { schema, executableSchema: withInternalQuery(schema), warnings };
}
