import { compareNames } from '../../core/compare-names';
import {
  getNullableType,
  GraphQLList,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLOutputType,
} from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import type { GatewayContext } from '../../core/context';
import type { SoapOperation, WsdlModel } from './read-wsdl';
import { graphqlName, SoapTypeMapper, type Shape } from './soap-type-mapper';
import { fromXml, NamespacePrefixes, toXml } from './soap-values';
import type { XmlNode } from './xml-tree';
import { keyOf, type XsdField } from './xsd-model';

/** What resolvers call: send a body (built against `prefixes`) for an operation, get the Body's first element. */
export type SoapCaller = (
  operation: SoapOperation,
  body: string,
  prefixes: NamespacePrefixes,
  context: GatewayContext | undefined,
) => Promise<XmlNode | undefined>;

export interface SoapSchemaOptions {
  wsdl: WsdlModel;
  /** Query/Mutation overrides by operation name (as in the WSDL or as the GraphQL field). */
  operations?: Record<string, 'query' | 'mutation'>;
  caller: SoapCaller;
}

const READ_PREFIXES = /^(Get|List|Find|Search|Query|Check)/i;
const lowerFirst = (name: string) => name[0].toLowerCase() + name.slice(1);

interface Argument {
  /** GraphQL argument name. */
  name: string;
  /** XML element name and namespace it is written as. */
  xmlName: string;
  ns: string;
  shape: Shape;
  field?: XsdField;
}

interface Unwrap {
  /** Child element names followed from the response element. */
  path: Array<{ name: string; list: boolean }>;
  shape: Shape;
  list: boolean;
}

/** Follow single-child wrappers (`GetXResponse { GetXResult }`, `ArrayOfX { X[] }`) to the interesting value. */
function unwrap(shape: Shape, mapper: SoapTypeMapper): Unwrap {
  const path: Unwrap['path'] = [];
  let current = shape;
  for (let depth = 0; depth < 4 && current.kind === 'object'; depth++) {
    const fields = mapper.fieldsOf(current.complex);
    if (fields.length !== 1 || fields[0].attribute || current.complex.value) break;
    const only = fields[0];
    const list = only.max > 1;
    path.push({ name: only.name, list });
    current = mapper.shapeOf(only.type, only.name);
    if (list) return { path, shape: current, list: true };
  }
  return { path, shape: current, list: false };
}

function followPath(node: XmlNode, unwrapped: Unwrap, mapper: SoapTypeMapper): unknown {
  let current: XmlNode | undefined = node;
  for (const [index, step] of unwrapped.path.entries()) {
    if (!current) return null;
    if (step.list && index === unwrapped.path.length - 1)
      return current.children
        .filter((child) => child.local === step.name)
        .map((child) => fromXml(child, unwrapped.shape, mapper));
    current = current.children.find((child) => child.local === step.name);
  }
  return current ? fromXml(current, unwrapped.shape, mapper) : null;
}

function documentArguments(
  operation: SoapOperation,
  mapper: SoapTypeMapper,
  wsdl: WsdlModel,
): { args: Argument[]; wrapper?: { name: string; ns: string } } {
  const part = operation.input[0];
  if (!part?.element) return { args: [] };
  const element = wsdl.schemas.elements.get(keyOf(part.element));
  if (!element) return { args: [] };
  const shape = mapper.shapeOf(element.type, element.name);
  if (shape.kind !== 'object')
    return { args: [{ name: graphqlName(element.name), xmlName: element.name, ns: element.ns, shape }] };
  const args = mapper
    .namedFields(shape.complex)
    .filter(([field]) => !field.attribute)
    .map(([field, name]) => ({
      name,
      xmlName: field.name,
      ns: field.ns,
      shape: mapper.shapeOf(field.type, field.name),
      field,
    }));
  return { args, wrapper: { name: element.name, ns: element.ns } };
}

function rpcArguments(operation: SoapOperation, mapper: SoapTypeMapper): Argument[] {
  return operation.input.map((part) => ({
    name: graphqlName(part.name),
    xmlName: part.name,
    ns: '',
    shape: part.type
      ? mapper.shapeOf(
          {
            kind: part.type.ns === 'http://www.w3.org/2001/XMLSchema' ? 'builtin' : 'named',
            name: part.type,
            local: part.type.local,
          } as never,
          part.name,
        )
      : mapper.shapeOf({ kind: 'elementRef', name: part.element! }, part.name),
  }));
}

interface OperationResult {
  type: GraphQLOutputType;
  read: (body: XmlNode | undefined) => unknown;
}

function operationResult(operation: SoapOperation, mapper: SoapTypeMapper, wsdl: WsdlModel): OperationResult {
  const parts = operation.output;
  if (parts.length === 0) return { type: GraphQLString, read: () => null };
  if (operation.style === 'document' && parts[0].element) {
    const element = wsdl.schemas.elements.get(keyOf(parts[0].element));
    if (!element) return { type: GraphQLJSON, read: () => null };
    const unwrapped = unwrap(mapper.shapeOf(element.type, element.name), mapper);
    const single = mapper.outputOf(unwrapped.shape);
    return {
      type: unwrapped.list ? new GraphQLList(single) : single,
      read: (body) => (body ? followPath(body, unwrapped, mapper) : null),
    };
  }
  // rpc: the response wrapper holds one element per part.
  const [part] = parts;
  const shape = rpcArguments({ ...operation, input: [part] }, mapper)[0].shape;
  if (parts.length > 1)
    return {
      type: GraphQLJSON,
      read: (body) => (body ? Object.fromEntries(body.children.map((child) => [child.local, child.text])) : null),
    };
  return {
    type: getNullableType(mapper.outputOf(shape)) as GraphQLOutputType,
    read: (body) => {
      const child = body?.children.find((candidate) => candidate.local === part.name) ?? body?.children[0];
      return child ? fromXml(child, shape, mapper) : null;
    },
  };
}

function buildField(
  operation: SoapOperation,
  wsdl: WsdlModel,
  mapper: SoapTypeMapper,
  caller: SoapCaller,
): GraphQLFieldConfig<unknown, GatewayContext> {
  const { args, wrapper } =
    operation.style === 'document'
      ? documentArguments(operation, mapper, wsdl)
      : {
          args: rpcArguments(operation, mapper),
          wrapper: { name: operation.name, ns: operation.bodyNamespace || wsdl.targetNamespace },
        };
  const graphqlArgs: GraphQLFieldConfigArgumentMap = {};
  for (const arg of args)
    graphqlArgs[arg.name] = {
      type: arg.field ? mapper.fieldInput(arg.field, `${operation.name}_${arg.xmlName}`) : mapper.inputOf(arg.shape),
    };
  const result = operationResult(operation, mapper, wsdl);
  return {
    type: result.type,
    args: graphqlArgs,
    description: operation.documentation,
    resolve: async (_root, input: Record<string, unknown>, context) => {
      const prefixes = new NamespacePrefixes();
      const content = args
        .map((arg) => toXml(arg.xmlName, arg.ns, input[arg.name], arg.shape, mapper, prefixes))
        .join('');
      const body = wrapper
        ? (() => {
            const prefix = prefixes.prefixFor(wrapper.ns);
            const tag = prefix ? `${prefix}:${wrapper.name}` : wrapper.name;
            return `<${tag}>${content}</${tag}>`;
          })()
        : content;
      return result.read(await caller(operation, body, prefixes, context));
    },
  };
}

/**
 * A WSDL's operations as an executable GraphQL schema: read-like operations
 * (Get/List/Find/Search/Query/Check) on Query, the rest on Mutation, unless
 * `operations` says otherwise. Same WSDL in, same SDL out.
 */
export function buildSoapSchema({ wsdl, operations = {}, caller }: SoapSchemaOptions): GraphQLSchema {
  const mapper = new SoapTypeMapper(wsdl.schemas);
  const query: Record<string, GraphQLFieldConfig<unknown, GatewayContext>> = {};
  const mutation: Record<string, GraphQLFieldConfig<unknown, GatewayContext>> = {};
  for (const operation of [...wsdl.operations].sort((a, b) => compareNames(a.name, b.name))) {
    const fieldName = graphqlName(lowerFirst(operation.name));
    const placement =
      operations[operation.name] ??
      operations[fieldName] ??
      (READ_PREFIXES.test(operation.name) ? 'query' : 'mutation');
    (placement === 'query' ? query : mutation)[fieldName] = buildField(operation, wsdl, mapper, caller);
  }
  // No placeholder when there is no read operation: the executor runs withInternalQuery(schema).
  return new GraphQLSchema({
    query: Object.keys(query).length ? new GraphQLObjectType({ name: 'Query', fields: query }) : undefined,
    mutation: Object.keys(mutation).length ? new GraphQLObjectType({ name: 'Mutation', fields: mutation }) : undefined,
  });
}
