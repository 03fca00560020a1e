import {
  Kind,
  getNamedType,
  isInterfaceType,
  isLeafType,
  isObjectType,
  visit,
  type DocumentNode,
  type FieldNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type ListTypeNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type TypeNode,
  type ValueNode,
} from 'graphql';
import type { PlannedLink } from './create-links';

/**
 * One link field of a routed document, answered by one batch call to the
 * same source: the parents carry their key under `keyAlias` (the link field's
 * place in the rewritten document), the entities theirs under `entityKeyAlias`.
 */
export interface DirectLink {
  /** The parent's key field, aliased, where the client selected the link. */
  readonly keyAlias: string;
  /** The client's response key of the link field (its alias or name). */
  readonly responseKey: string;
  /** `query($keys: ...) { <batch field>(<keys argument>: $keys) { <client selection> <entityKeyAlias>: <key field> } }` */
  readonly batchDocument: DocumentNode;
  readonly batchField: string;
  readonly entityKeyAlias: string;
  /** True when the key is fetched only for matching (under a private alias) and must leave the answer. */
  readonly entityKeyIsPrivate: boolean;
  /** For MISSING_KEY: the source and the entity type. */
  readonly sourceName: string;
  readonly entityTypeName: string;
}

export interface SameSourceLinkOptions {
  readonly owner: { readonly name: string; readonly schema: GraphQLSchema };
  /** Links of the gateway; only those whose target is `owner` and that batch qualify. */
  readonly plans: readonly PlannedLink[];
}

/** A link the direct road can answer: same source, a batch endpoint, one scalar key read from the parent. */
function eligiblePlan(plans: readonly PlannedLink[], ownerName: string, typeName: string, fieldName: string) {
  const plan = plans.find((candidate) => candidate.typeName === typeName && candidate.fieldName === fieldName);
  if (!plan?.batch || plan.target.name !== ownerName || plan.isList) return undefined;
  const sourceKeys = plan.keyArguments.filter((key) => key.sourceField !== undefined);
  return sourceKeys.length === 1 ? { plan, batch: plan.batch, keyField: sourceKeys[0].sourceField! } : undefined;
}

/**
 * Whether a link's selection can be sent as it is in the batch call: fields of
 * the owner's schema and inline fragments only (no spreads, variables or
 * directives, which would need the client operation's definitions), and no
 * nested link.
 */
function isPlainSelection(selectionSet: SelectionSetNode, type: GraphQLNamedType, owner: GraphQLSchema): boolean {
  return selectionSet.selections.every((selection: SelectionNode) => {
    if (selection.directives?.length) return false;
    if (selection.kind === Kind.FRAGMENT_SPREAD) return false;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition ? owner.getType(selection.typeCondition.name.value) : type;
      return !!condition && isPlainSelection(selection.selectionSet, condition, owner);
    }
    if (selection.arguments?.some((argument) => hasVariable(argument.value))) return false;
    if (selection.name.value === '__typename') return !selection.selectionSet;
    if (!(isObjectType(type) || isInterfaceType(type))) return false;
    const field = type.getFields()[selection.name.value];
    if (!field) return false;
    return !selection.selectionSet || isPlainSelection(selection.selectionSet, getNamedType(field.type), owner);
  });
}

function hasVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(hasVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((field) => hasVariable(field.value));
  return false;
}

/** Every name the document spells (fields, aliases, fragments, variables): private aliases must differ from all. */
function namesIn(document: DocumentNode): Set<string> {
  const names = new Set<string>();
  visit(document, {
    Name(node) {
      names.add(node.value);
    },
  });
  return names;
}

function freshName(taken: Set<string>, base: string): string {
  let index = 0;
  while (taken.has(`${base}${index}`)) index++;
  const name = `${base}${index}`;
  taken.add(name);
  return name;
}

function batchDocumentFor(
  operation: OperationDefinitionNode,
  owner: GraphQLSchema,
  batch: NonNullable<PlannedLink['batch']>,
  selectionSet: SelectionSetNode,
  entityKeyAlias: string,
): DocumentNode | undefined {
  const batchField = owner.getQueryType()?.getFields()[batch.field];
  const keysArgument = batchField?.args.find((argument) => argument.name === batch.keysArgument);
  if (!keysArgument) return undefined;
  const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
  // The client's own selection of the key (`user { id ... }`) serves for matching; else a private alias.
  const keyField: FieldNode | undefined =
    entityKeyAlias === batch.keyField
      ? undefined
      : { kind: Kind.FIELD, alias: name(entityKeyAlias), name: name(batch.keyField) };
  // The argument's type as the source declares it, so the source coerces the keys as its own batch field does.
  const typeNode = parseTypeNode(String(keysArgument.type));
  return {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: 'query' as OperationDefinitionNode['operation'],
        ...(operation.name && { name: operation.name }),
        variableDefinitions: [{ kind: Kind.VARIABLE_DEFINITION, variable: variable('keys'), type: typeNode }],
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [
            {
              kind: Kind.FIELD,
              name: name(batch.field),
              arguments: [{ kind: Kind.ARGUMENT, name: name(batch.keysArgument), value: variable('keys') }],
              selectionSet: {
                kind: Kind.SELECTION_SET,
                selections: keyField ? [...selectionSet.selections, keyField] : selectionSet.selections,
              },
            },
          ],
        },
      },
    ],
  };
}

function variable(value: string) {
  return { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value } } as const;
}

/** `[Int!]!` as a TypeNode. */
function parseTypeNode(printed: string): TypeNode {
  if (printed.endsWith('!'))
    return { kind: Kind.NON_NULL_TYPE, type: parseTypeNode(printed.slice(0, -1)) as ListTypeNode };
  if (printed.startsWith('[')) return { kind: Kind.LIST_TYPE, type: parseTypeNode(printed.slice(1, -1)) };
  return { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: printed } };
}

export interface SameSourceLinkPlanner {
  /** Called by the router's visitor for a field the owner does not have: true when it is an eligible link. */
  accept(parentTypeName: string, node: FieldNode): boolean;
  /** The rewritten document and its links, or undefined when an accepted link cannot be answered directly after all. */
  finish(
    document: DocumentNode,
    operation: OperationDefinitionNode,
  ): { document: DocumentNode; links: DirectLink[] } | undefined;
}

/**
 * Plans the links of one document that the owner source answers itself
 * (stitching's batch delegation, done once per document instead of per
 * request): each link field becomes its parent's key field under a private
 * alias, and gets a batch document built from the client's selection.
 */
export function planSameSourceLinks({ owner, plans }: SameSourceLinkOptions): SameSourceLinkPlanner {
  const accepted = new Map<FieldNode, { typeName: string; link: NonNullable<ReturnType<typeof eligiblePlan>> }>();
  const seen = new Set<string>();
  let refused = false;
  return {
    accept(parentTypeName, node) {
      const link = eligiblePlan(plans, owner.name, parentTypeName, node.name.value);
      if (!link || !node.selectionSet || node.arguments?.length || node.directives?.length) return false;
      // The key stands in for the link field in the source's document: it must be a leaf there.
      const parent = owner.schema.getType(parentTypeName);
      const keyType = isObjectType(parent) ? parent.getFields()[link.keyField]?.type : undefined;
      if (!keyType || !isLeafType(getNamedType(keyType))) return false;
      const entity = owner.schema.getType(getNamedType(link.plan.rootField.type).name);
      if (!entity || !isPlainSelection(node.selectionSet, entity, owner.schema)) return false;
      // The same link selected twice merges its selections in GraphQL: left to stitching.
      const responseKey = `${parentTypeName}.${(node.alias ?? node.name).value}`;
      if (seen.has(responseKey)) refused = true;
      seen.add(responseKey);
      accepted.set(node, { typeName: parentTypeName, link });
      return true;
    },
    finish(document, operation) {
      if (refused) return undefined;
      if (accepted.size === 0) return { document, links: [] };
      const taken = namesIn(document);
      const links: DirectLink[] = [];
      const replacements = new Map<FieldNode, FieldNode>();
      for (const [node, { link }] of accepted) {
        const keyAlias = freshName(taken, '_loomLink');
        const selectsKey = node.selectionSet!.selections.some(
          (selection) =>
            selection.kind === Kind.FIELD &&
            selection.name.value === link.batch.keyField &&
            !selection.alias &&
            !selection.arguments?.length &&
            !selection.directives?.length,
        );
        const entityKeyAlias = selectsKey ? link.batch.keyField : freshName(taken, '_loomKey');
        const batchDocument = batchDocumentFor(operation, owner.schema, link.batch, node.selectionSet!, entityKeyAlias);
        if (!batchDocument) return undefined;
        links.push({
          keyAlias,
          responseKey: (node.alias ?? node.name).value,
          batchDocument,
          batchField: link.batch.field,
          entityKeyAlias,
          entityKeyIsPrivate: !selectsKey,
          sourceName: owner.name,
          entityTypeName: getNamedType(link.plan.rootField.type).name,
        });
        replacements.set(node, {
          kind: Kind.FIELD,
          alias: { kind: Kind.NAME, value: keyAlias },
          name: { kind: Kind.NAME, value: link.keyField },
        });
      }
      const rewritten = visit(document, {
        Field(node) {
          return replacements.get(node);
        },
      });
      return { document: rewritten, links };
    },
  };
}
