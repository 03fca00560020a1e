import { Kind, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { incrementalDeliveryNotAccepted } from '../core/errors';
import type { GatewayContext } from '../core/context';

export interface IncrementalDeliveryOptions {
  /** Requests that take their parts another way than HTTP (WebSocket operations): never refused for their Accept header. */
  deliversParts?: (request: Request) => boolean;
}

/** Media types an incremental answer can be sent as (Yoga's multipart and SSE result processors). */
const PART_MEDIA_TYPES = /(^|[,\s])(multipart\/mixed|text\/event-stream|\*\/\*)(?=$|[;,\s])/i;

/**
 * Whether an operation would answer in parts: some `@defer` or `@stream` whose
 * `if` is not false (a literal, or a variable; both default to true).
 */
export function deliversIncrementally(document: DocumentNode, variables: Record<string, unknown> | undefined): boolean {
  let incremental = false;
  visit(document, {
    Directive(node) {
      if (incremental || (node.name.value !== 'defer' && node.name.value !== 'stream')) return undefined;
      const condition = node.arguments?.find((argument) => argument.name.value === 'if')?.value;
      incremental =
        condition === undefined ||
        (condition.kind === Kind.BOOLEAN && condition.value) ||
        (condition.kind === Kind.VARIABLE && variables?.[condition.name.value] !== false);
      return undefined;
    },
  });
  return incremental;
}

/**
 * `@defer` and `@stream` on a BFF: Yoga's defer-stream plugin (the
 * directives and their validation rules: unique static labels, none on
 * mutation or subscription root fields, `@stream` on lists only), plus a
 * refusal for clients that could not read the parts. Yoga would run such an
 * operation (upstream calls included) and then answer 406 with no body; this
 * answers 406 INCREMENTAL_DELIVERY_NOT_ACCEPTED before execution.
 */
export function useIncrementalDelivery({ deliversParts }: IncrementalDeliveryOptions = {}): Plugin[] {
  const acceptCheck: Plugin = {
    onExecute({ args, setResultAndStopExecution }) {
      const request = (args.contextValue as GatewayContext | undefined)?.request;
      if (!request || deliversParts?.(request)) return;
      // No Accept header accepts anything, as `*/*` does: Yoga then sends multipart.
      const accept = request.headers.get('accept');
      if (!accept || PART_MEDIA_TYPES.test(accept)) return;
      if (!deliversIncrementally(args.document, args.variableValues ?? undefined)) return;
      setResultAndStopExecution({ errors: [incrementalDeliveryNotAccepted()] });
    },
  };
  return [useDeferStream(), acceptCheck];
}
