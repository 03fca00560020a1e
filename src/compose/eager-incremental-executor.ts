import { BREAK, Kind, visit, type ASTNode, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { ExecutionRequest, Executor } from '@graphql-tools/utils';

/**
 * Sources answer `@defer` and `@stream` selections eagerly; the gateway's
 * executor delivers them incrementally.
 *
 * Why: @graphql-tools/delegate (v12) owns `@defer` at the gateway by default.
 * It leaves a deferred fragment's fields out of the subschema request (keeping
 * only the keys merged types need) and expects them to be fetched later
 * through a merged type's entry point. Loom's types mostly belong to one
 * source and have no such entry point (an `Order` comes only from the orders
 * source), so a deferred `status` was never fetched: null, and "Cannot return
 * null for non-nullable field". With `defer: true` on a subschema, delegate
 * keeps the deferred fields in the request instead; this wrapper then removes
 * the `@defer`/`@stream` directives before the source executes it, so each
 * source keeps making exactly one upstream call per root field (REST, gRPC and
 * SOAP sources have nothing to stream, and a remote GraphQL source may not
 * know the directives). The gateway's own execution still sends deferred
 * fragments and streamed items in later parts, and link fields inside a
 * deferred fragment are only fetched when that fragment runs.
 */
export function withEagerIncrementalDelivery(executor: Executor): Executor {
  return (request) => executor(hasIncrementalDirectives(request) ? withoutIncrementalDirectives(request) : request);
}

const INCREMENTAL_DIRECTIVES = new Set(['defer', 'stream']);

/** Per client operation: whether it uses @defer or @stream anywhere (the common answer, no, costs a lookup). */
const operationUsesIncremental = new WeakMap<OperationDefinitionNode, boolean>();

function containsIncrementalDirective(node: ASTNode): boolean {
  let found = false;
  visit(node, {
    Directive(directive) {
      if (!INCREMENTAL_DIRECTIVES.has(directive.name.value)) return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}

function hasIncrementalDirectives(request: ExecutionRequest): boolean {
  const operation = request.info?.operation;
  if (!operation) return containsIncrementalDirective(request.document);
  let uses = operationUsesIncremental.get(operation);
  if (uses === undefined) {
    uses =
      containsIncrementalDirective(operation) ||
      Object.values(request.info?.fragments ?? {}).some((fragment) => containsIncrementalDirective(fragment));
    operationUsesIncremental.set(operation, uses);
  }
  return uses;
}

/** The same selections with every `@defer` and `@stream` removed (an inline fragment without directives is plain). */
export function stripIncrementalDirectives(document: DocumentNode): DocumentNode {
  return visit(document, {
    Directive(directive) {
      return INCREMENTAL_DIRECTIVES.has(directive.name.value) ? null : undefined;
    },
  });
}

function withoutIncrementalDirectives(request: ExecutionRequest): ExecutionRequest {
  const document = stripIncrementalDirectives(request.document);
  // The variables stay: a `$if` or `$label` variable the directives used is harmless unused in
  // the request's variable values, but a declared yet unused variable is a validation error
  // upstream, so the definitions that only the directives used go too.
  return { ...request, document: withoutUnusedVariableDefinitions(document) };
}

function withoutUnusedVariableDefinitions(document: DocumentNode): DocumentNode {
  const used = new Set<string>();
  visit(document, {
    VariableDefinition: () => false,
    Variable(node) {
      used.add(node.name.value);
    },
  });
  return {
    ...document,
    definitions: document.definitions.map((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.variableDefinitions?.length
        ? {
            ...definition,
            variableDefinitions: definition.variableDefinitions.filter((variable) =>
              used.has(variable.variable.name.value),
            ),
          }
        : definition,
    ),
  };
}
