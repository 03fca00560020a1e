import { GraphQLSchema, Kind, visit, type DocumentNode, type ValueNode } from 'graphql';
import { GraphQLDeferDirective, GraphQLStreamDirective } from '@graphql-tools/utils';
import type { Plugin } from 'graphql-yoga';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { badStreamInitialCount, incrementalDeliveryInBatch, incrementalDeliveryNotAccepted } from '../core/errors';

export interface IncrementalDeliveryOptions {
  /** Requests that take their parts another way than HTTP (WebSocket operations): never refused for their Accept header. */
  deliversParts?: (request: Request) => boolean;
}

/** Media types an incremental answer can be sent as (Yoga's multipart and SSE result processors). */
const PART_MEDIA_TYPES = /(^|[,\s])(multipart\/mixed|text\/event-stream|\*\/\*)(?=$|[;,\s])/i;

/** What an operation asks of incremental delivery, read before it runs. */
export interface IncrementalUse {
  /** Some `@defer` or `@stream` whose `if` is not false (a literal or a variable; both default to true). */
  readonly incremental: boolean;
  /** Some `@stream` whose `initialCount` is not a non-negative integer (the executor would fail after the upstream calls). */
  readonly badInitialCount: boolean;
}

function valueOf(node: ValueNode, variables: Record<string, unknown> | undefined): unknown {
  if (node.kind === Kind.VARIABLE) return variables?.[node.name.value];
  if (node.kind === Kind.BOOLEAN) return node.value;
  if (node.kind === Kind.INT) return Number(node.value);
  return undefined;
}

const NO_INCREMENTAL_USE: IncrementalUse = { incremental: false, badInitialCount: false };

/** Per parsed document (Yoga reuses them): whether it has any @defer or @stream at all, so most requests skip the walk. */
const mentionsIncremental = new WeakMap<DocumentNode, boolean>();

export function inspectIncrementalUse(
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): IncrementalUse {
  if (mentionsIncremental.get(document) === false) return NO_INCREMENTAL_USE;
  let mentioned = false;
  let incremental = false;
  let badInitialCount = false;
  visit(document, {
    Directive(node) {
      if (node.name.value !== 'defer' && node.name.value !== 'stream') return undefined;
      mentioned = true;
      const argument = (name: string) => node.arguments?.find((candidate) => candidate.name.value === name)?.value;
      const condition = argument('if');
      if (condition === undefined || valueOf(condition, variables) !== false) incremental = true;
      const initialCount = argument('initialCount');
      if (node.name.value === 'stream' && initialCount !== undefined) {
        const count = valueOf(initialCount, variables);
        // A variable left out takes the directive's default (0).
        if (count !== undefined && !(Number.isSafeInteger(count) && (count as number) >= 0)) badInitialCount = true;
      }
      return undefined;
    },
  });
  mentionsIncremental.set(document, mentioned);
  return { incremental, badInitialCount };
}

/**
 * The schema with `@defer` and `@stream` declared, the same types (and
 * resolvers) and extensions (stitching's metadata). Built once per BFF at
 * start-up; Yoga's plugin then finds the directives and leaves the schema be.
 */
export function withIncrementalDirectives(schema: GraphQLSchema): GraphQLSchema {
  const missing = [GraphQLDeferDirective, GraphQLStreamDirective].filter(
    (directive) => !schema.getDirective(directive.name),
  );
  if (missing.length === 0) return schema;
  const withDirectives = new GraphQLSchema({
    ...schema.toConfig(),
    directives: [...schema.getDirectives(), ...missing],
  });
  withDirectives.extensions = schema.extensions;
  return withDirectives;
}

/**
 * `@defer` and `@stream` on a BFF: Yoga's defer-stream plugin (the
 * directives and their validation rules: unique static labels, none on
 * mutation or subscription root fields, `@stream` on lists only), plus a
 * check before execution: a client that could not read the parts gets 406
 * INCREMENTAL_DELIVERY_NOT_ACCEPTED (Yoga would run the operation, upstream
 * calls included, and then answer 406 with no body), and a negative or
 * fractional `@stream(initialCount:)` is 400 BAD_USER_INPUT (the executor
 * would throw an internal error after fetching the list). An incremental
 * operation in a batched request is 400 BAD_REQUEST in its slot of the
 * answer (Yoga would put `{}` there).
 */
export function useIncrementalDelivery({ deliversParts }: IncrementalDeliveryOptions = {}): Plugin[] {
  // Requests that carry a JSON array of operations: Yoga answers them with one array, which cannot hold parts.
  const batched = new WeakSet<Request>();
  const preflight: Plugin = {
    onRequestParse({ request }) {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (Array.isArray(requestParserResult)) batched.add(request);
        },
      };
    },
    onExecute({ args, setResultAndStopExecution }) {
      const use = inspectIncrementalUse(args.document, args.variableValues ?? undefined);
      if (use.badInitialCount) return setResultAndStopExecution({ errors: [badStreamInitialCount()] });
      if (!use.incremental) return;
      const request = (args.contextValue as { request?: Request } | undefined)?.request;
      if (!request || deliversParts?.(request)) return;
      if (batched.has(request)) return setResultAndStopExecution({ errors: [incrementalDeliveryInBatch()] });
      // No Accept header accepts anything, as `*/*` does: Yoga then sends multipart.
      const accept = request.headers.get('accept');
      if (!accept || PART_MEDIA_TYPES.test(accept)) return;
      setResultAndStopExecution({ errors: [incrementalDeliveryNotAccepted()] });
    },
  };
  return [useDeferStream(), preflight];
}
