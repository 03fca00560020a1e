import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLScalarType,
} from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { GraphQLDate, GraphQLDateTime, GraphQLDecimal, GraphQLInt64 } from '../scalars';
import {
  keyOf,
  XSD_NS,
  type QName,
  type TypeRef,
  type XsdComplex,
  type XsdField,
  type XsdRegistry,
  type XsdSimple,
} from './xsd-model';

/** What a type reference resolves to, for GraphQL types and value conversion alike. */
export type Shape =
  | { readonly kind: 'scalar'; readonly scalar: GraphQLScalarType; readonly xsd: string }
  | { readonly kind: 'enum'; readonly type: GraphQLEnumType }
  | { readonly kind: 'object'; readonly complex: XsdComplex; readonly key: string };

const BUILTINS: Record<string, GraphQLScalarType> = {
  int: GraphQLInt,
  short: GraphQLInt,
  byte: GraphQLInt,
  unsignedShort: GraphQLInt,
  unsignedByte: GraphQLInt,
  long: GraphQLInt64,
  integer: GraphQLInt64,
  unsignedInt: GraphQLInt64,
  unsignedLong: GraphQLInt64,
  nonNegativeInteger: GraphQLInt64,
  positiveInteger: GraphQLInt64,
  negativeInteger: GraphQLInt64,
  nonPositiveInteger: GraphQLInt64,
  decimal: GraphQLDecimal,
  float: GraphQLFloat,
  double: GraphQLFloat,
  boolean: GraphQLBoolean,
  dateTime: GraphQLDateTime,
  date: GraphQLDate,
  anyType: GraphQLJSON,
  anySimpleType: GraphQLString,
};

/** A valid GraphQL name from an XML name: `tns-foo.bar` -> `tns_foo_bar`, `2nd` -> `_2nd`. */
export function graphqlName(xmlName: string): string {
  const cleaned = xmlName.replace(/[^_a-zA-Z0-9]/g, '_');
  return /^[_a-zA-Z]/.test(cleaned) && !cleaned.startsWith('__') ? cleaned : `_${cleaned.replace(/^_+/, '')}`;
}

const upperFirst = (name: string) => name[0].toUpperCase() + name.slice(1);

/** Field name in GraphQL; attributes that clash with an element get an `attr_` prefix. */
export function fieldNames(complex: XsdComplex): Map<XsdField, string> {
  const names = new Map<XsdField, string>();
  const elementNames = new Set(
    complex.fields.filter((field) => !field.attribute).map((field) => graphqlName(field.name)),
  );
  for (const field of complex.fields)
    names.set(
      field,
      field.attribute && elementNames.has(graphqlName(field.name))
        ? `attr_${graphqlName(field.name)}`
        : graphqlName(field.name),
    );
  return names;
}

/**
 * XSD declarations as GraphQL types, built once per source. Named types keep
 * their XML name (namespaces never leak into names; a second type with the
 * same local name in another namespace gets a numbered suffix), anonymous ones
 * are named after their element.
 */
export class SoapTypeMapper {
  private readonly outputs = new Map<string, GraphQLObjectType>();
  private readonly inputs = new Map<string, GraphQLInputObjectType>();
  private readonly enums = new Map<string, GraphQLEnumType>();
  private readonly names = new Map<string, string>();
  private readonly anonymous = new Map<XsdComplex | XsdSimple, string>();
  private readonly fieldPlans = new WeakMap<XsdComplex, ReadonlyArray<readonly [XsdField, string]>>();
  private readonly taken = new Set<string>([
    'Query',
    'Mutation',
    'Subscription',
    'JSON',
    'Int64',
    'Decimal',
    'Date',
    'DateTime',
  ]);

  constructor(private readonly registry: XsdRegistry) {}

  private uniqueName(wanted: string): string {
    let name = graphqlName(upperFirst(wanted));
    for (let index = 2; this.taken.has(name); index++) name = `${graphqlName(upperFirst(wanted))}${index}`;
    this.taken.add(name);
    return name;
  }

  private nameFor(key: string, local: string): string {
    let name = this.names.get(key);
    if (!name) this.names.set(key, (name = this.uniqueName(local)));
    return name;
  }

  shapeOf(ref: TypeRef, hint: string): Shape {
    switch (ref.kind) {
      case 'builtin':
        return { kind: 'scalar', scalar: BUILTINS[ref.local] ?? GraphQLString, xsd: ref.local };
      case 'complex':
        return { kind: 'object', complex: ref.type, key: this.anonymousKey(ref.type, hint) };
      case 'simple':
        return this.simpleShape(ref.type, this.anonymousKey(ref.type, hint));
      case 'elementRef': {
        const element = this.registry.elements.get(keyOf(ref.name));
        return element
          ? this.shapeOf(element.type, element.name)
          : { kind: 'scalar', scalar: GraphQLJSON, xsd: 'anyType' };
      }
      case 'named':
        return this.namedShape(ref.name);
    }
  }

  private anonymousKey(type: XsdComplex | XsdSimple, hint: string): string {
    let name = this.anonymous.get(type);
    if (!name) this.anonymous.set(type, (name = `anonymous:${this.anonymous.size}:${hint}`));
    this.nameFor(name, hint);
    return name;
  }

  private namedShape(name: QName): Shape {
    if (name.ns === XSD_NS) return this.shapeOf({ kind: 'builtin', local: name.local }, name.local);
    const key = keyOf(name);
    const complex = this.registry.complexTypes.get(key);
    if (complex) {
      this.nameFor(key, name.local);
      return { kind: 'object', complex, key };
    }
    const simple = this.registry.simpleTypes.get(key);
    if (simple) return this.simpleShape(simple, key, name.local);
    return { kind: 'scalar', scalar: BUILTINS[name.local] ?? GraphQLString, xsd: name.local };
  }

  private simpleShape(simple: XsdSimple, key: string, local = key.split(':').pop()!): Shape {
    if (simple.enumeration.length === 0)
      return simple.base ? this.namedShape(simple.base) : { kind: 'scalar', scalar: GraphQLString, xsd: 'string' };
    let type = this.enums.get(key);
    if (!type) {
      const values: Record<string, { value: string }> = {};
      for (const value of simple.enumeration)
        values[
          graphqlName(value) in values ? `${graphqlName(value)}_${Object.keys(values).length}` : graphqlName(value)
        ] = { value };
      type = new GraphQLEnumType({ name: this.nameFor(key, local), values });
      this.enums.set(key, type);
    }
    return { kind: 'enum', type };
  }

  /** Fields of a complex type, including those inherited through xs:extension. */
  fieldsOf(complex: XsdComplex): XsdField[] {
    const base = complex.base && this.registry.complexTypes.get(keyOf(complex.base));
    return base ? [...this.fieldsOf(base), ...complex.fields] : complex.fields;
  }

  /**
   * Every field of a complex type (inherited ones first) with its GraphQL name.
   * Computed once per type: value conversion asks for it per XML element.
   */
  namedFields(complex: XsdComplex): ReadonlyArray<readonly [XsdField, string]> {
    let plan = this.fieldPlans.get(complex);
    if (!plan) this.fieldPlans.set(complex, (plan = [...fieldNames({ ...complex, fields: this.fieldsOf(complex) })]));
    return plan;
  }

  outputOf(shape: Shape): GraphQLOutputType {
    if (shape.kind === 'scalar') return shape.scalar;
    if (shape.kind === 'enum') return shape.type;
    let type = this.outputs.get(shape.key);
    if (!type) {
      const complex = shape.complex;
      const name = this.names.get(shape.key)!;
      type = new GraphQLObjectType({
        name,
        fields: () => {
          const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
          for (const [field, fieldName] of this.namedFields(complex))
            fields[fieldName] = { type: this.fieldOutput(field, `${name}_${field.name}`) };
          if (complex.value)
            fields._value = {
              type: this.outputOf(this.shapeOf(complex.value, `${name}Value`)),
              description: 'The element text.',
            };
          if (Object.keys(fields).length === 0)
            fields._empty = { type: GraphQLBoolean, description: 'This type has no fields.' };
          return fields;
        },
      });
      this.outputs.set(shape.key, type);
    }
    return type;
  }

  inputOf(shape: Shape): GraphQLInputType {
    if (shape.kind === 'scalar') return shape.scalar;
    if (shape.kind === 'enum') return shape.type;
    let type = this.inputs.get(shape.key);
    if (!type) {
      const complex = shape.complex;
      const name = `${this.names.get(shape.key)!}Input`;
      type = new GraphQLInputObjectType({
        name,
        fields: () => {
          const fields: GraphQLInputFieldConfigMap = {};
          for (const [field, fieldName] of this.namedFields(complex))
            fields[fieldName] = { type: this.fieldInput(field, `${name}_${field.name}`) };
          if (complex.value) fields._value = { type: this.inputOf(this.shapeOf(complex.value, `${name}Value`)) };
          if (Object.keys(fields).length === 0) fields._empty = { type: GraphQLBoolean };
          return fields;
        },
      });
      this.inputs.set(shape.key, type);
    }
    return type;
  }

  /** minOccurs=0 or nillable -> nullable; maxOccurs>1 -> list. */
  fieldOutput(field: XsdField, hint: string): GraphQLOutputType {
    const single = this.outputOf(this.shapeOf(field.type, hint));
    if (field.max > 1) return new GraphQLList(single);
    return field.min === 0 || field.nillable ? single : new GraphQLNonNull(single);
  }

  fieldInput(field: XsdField, hint: string): GraphQLInputType {
    const single = this.inputOf(this.shapeOf(field.type, hint));
    if (field.max > 1) return new GraphQLList(single);
    return field.min === 0 || field.nillable ? single : new GraphQLNonNull(single);
  }
}
