import { compareNames } from '../../core/compare-names';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';
import type { BffApp } from '../../bff/create-bff-app';
import { createFieldQuery } from '../../bff/example-query';
import { escapeHtml } from '../../bff/browser/html';
import type { LoadedSource } from '../../handlers/types';
import type { LinkConfig } from '../../compose/link-config';

/** Which sources serve a field, by the gateway's names: `(Type, field) -> ['catalog']`. */
export type FieldSources = (typeName: string, fieldName: string) => string[];

/**
 * A field is served by every source whose schema has it (merged types have
 * several), and a link field by the source of the root field it resolves with.
 */
export function createFieldSources(sources: readonly LoadedSource[], links: readonly LinkConfig[]): FieldSources {
  const linkSource = new Map<string, string[]>();
  for (const link of links) {
    const target = sources.filter((source) => source.schema.getQueryType()?.getFields()[link.resolveWith]);
    linkSource.set(
      link.field,
      target.map((source) => `${source.name} (link)`),
    );
  }
  return (typeName, fieldName) => {
    const linked = linkSource.get(`${typeName}.${fieldName}`);
    if (linked) return linked;
    return sources
      .filter((source) => {
        const type = source.schema.getType(typeName);
        return (isObjectType(type) || isInterfaceType(type)) && fieldName in type.getFields();
      })
      .map((source) => source.name);
  };
}

/** Maps a BFF's names back to the gateway's, undoing the view's renames. */
function createNameMapper(renames: Readonly<Record<string, string>> = {}) {
  const typeBack = new Map<string, string>();
  const fieldBack = new Map<string, string>();
  for (const [from, to] of Object.entries(renames)) {
    if (from.includes('.')) {
      const [typeName, fieldName] = from.split('.');
      fieldBack.set(`${typeName}.${to}`, fieldName);
    } else typeBack.set(to, from);
  }
  return (typeName: string, fieldName: string) => {
    const gatewayType = typeBack.get(typeName) ?? typeName;
    return { typeName: gatewayType, fieldName: fieldBack.get(`${gatewayType}.${fieldName}`) ?? fieldName };
  };
}

const typeLink = (type: GraphQLType) => {
  const named = getNamedType(type).name;
  const text = escapeHtml(type.toString()).replace(
    escapeHtml(named),
    `<a href="#type-${escapeHtml(named)}">${escapeHtml(named)}</a>`,
  );
  return `<code>${text}</code>`;
};

const description = (text: string | null | undefined) => (text ? `<div class="desc">${escapeHtml(text)}</div>` : '');

const deprecation = (reason: string | null | undefined) =>
  reason !== undefined && reason !== null ? `<div class="desc warn">Deprecated: ${escapeHtml(reason)}</div>` : '';

function renderArguments(args: readonly (GraphQLArgument | GraphQLInputField)[]): string {
  if (args.length === 0) return '';
  return `(${args
    .map(
      (argument) =>
        `<span title="${escapeHtml(argument.description ?? '')}">${escapeHtml(argument.name)}: ${typeLink(argument.type)}${
          argument.defaultValue !== undefined ? ` = ${escapeHtml(JSON.stringify(argument.defaultValue))}` : ''
        }</span>`,
    )
    .join(', ')})`;
}

interface FieldEntry {
  name: string;
  type: GraphQLType;
  description?: string | null;
  deprecationReason?: string | null;
  args: readonly (GraphQLArgument | GraphQLInputField)[];
  sources: string[];
  graphiqlQuery?: string;
}

function renderField(endpoint: string, field: FieldEntry): string {
  const searchText = [
    field.name,
    field.type.toString(),
    field.description ?? '',
    field.deprecationReason ?? '',
    ...field.args.map((argument) => `${argument.name} ${argument.description ?? ''}`),
    ...field.sources,
  ]
    .join(' ')
    .toLowerCase();
  const name = escapeHtml(field.name);
  const open = field.graphiqlQuery
    ? ` <a class="open" href="${escapeHtml(`${endpoint}?query=${encodeURIComponent(field.graphiqlQuery)}`)}">open in GraphiQL</a>`
    : '';
  return `<div class="field" data-field data-search="${escapeHtml(searchText)}"><code class="${
    field.deprecationReason ? 'deprecated' : ''
  }"><b>${name}</b></code>${renderArguments(field.args)}: ${typeLink(field.type)}${
    field.sources.length ? ` <span class="badge" title="served by">${escapeHtml(field.sources.join(', '))}</span>` : ''
  }${open}${description(field.description)}${deprecation(field.deprecationReason)}</div>`;
}

const KIND_ORDER = (schema: GraphQLSchema, type: GraphQLNamedType) =>
  [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].indexOf(type as never);

function kindOf(type: GraphQLNamedType): string {
  if (isObjectType(type)) return 'type';
  if (isInterfaceType(type)) return 'interface';
  if (isUnionType(type)) return 'union';
  if (isEnumType(type)) return 'enum';
  if (isInputObjectType(type)) return 'input';
  return 'scalar';
}

/** The types a reference lists: roots first, then by name; no introspection types, no built-in scalars. */
function listedTypes(schema: GraphQLSchema): GraphQLNamedType[] {
  return Object.values(schema.getTypeMap())
    .filter((type) => !type.name.startsWith('__') && !isSpecifiedScalarType(type))
    .sort((left, right) => {
      const [leftRoot, rightRoot] = [KIND_ORDER(schema, left), KIND_ORDER(schema, right)];
      if (leftRoot !== rightRoot) return (leftRoot < 0 ? 9 : leftRoot) - (rightRoot < 0 ? 9 : rightRoot);
      return compareNames(left.name, right.name);
    });
}

function fieldEntries(app: BffApp, type: GraphQLNamedType, sourcesOf: FieldSources): FieldEntry[] {
  const gatewayName = createNameMapper(app.definition.view?.renames);
  const isQuery = type === app.schema.getQueryType();
  if (isObjectType(type) || isInterfaceType(type))
    return Object.values(type.getFields()).map((field: GraphQLField<unknown, unknown>) => {
      const names = gatewayName(type.name, field.name);
      return {
        name: field.name,
        type: field.type,
        description: field.description,
        deprecationReason: field.deprecationReason,
        args: field.args,
        sources: sourcesOf(names.typeName, names.fieldName),
        graphiqlQuery: isQuery && app.graphiql ? createFieldQuery(app.schema, field.name) : undefined,
      };
    });
  if (isInputObjectType(type))
    return Object.values(type.getFields()).map((field) => ({ ...field, args: [], sources: [] }));
  return [];
}

function renderType(app: BffApp, type: GraphQLNamedType, sourcesOf: FieldSources): string {
  const fields = fieldEntries(app, type, sourcesOf);
  const extra = isEnumType(type)
    ? type
        .getValues()
        .map(
          (value) =>
            `<div class="field" data-field data-search="${escapeHtml(`${value.name} ${value.description ?? ''}`.toLowerCase())}"><code class="${
              value.deprecationReason ? 'deprecated' : ''
            }">${escapeHtml(value.name)}</code>${description(value.description)}${deprecation(value.deprecationReason)}</div>`,
        )
        .join('')
    : isUnionType(type)
      ? `<div class="desc">One of ${type
          .getTypes()
          .map((member) => typeLink(member))
          .join(', ')}</div>`
      : '';
  return `<section class="type card" id="type-${escapeHtml(type.name)}" data-type data-search="${escapeHtml(type.name.toLowerCase())}">
<h3>${kindOf(type)} <code>${escapeHtml(type.name)}</code></h3>${description(type.description)}
${fields.map((field) => renderField(app.endpoint, field)).join('')}${extra}</section>`;
}

/** A BFF's schema as searchable HTML: every type, field, argument, description, deprecation and serving source. */
export function renderSchemaReference(app: BffApp, sourcesOf: FieldSources): string {
  return listedTypes(app.schema)
    .map((type) => renderType(app, type, sourcesOf))
    .join('\n');
}
