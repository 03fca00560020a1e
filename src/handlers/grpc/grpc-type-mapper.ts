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
import * as protobuf from 'protobufjs';
import { GraphQLDateTime, GraphQLDuration, GraphQLInt64 } from '../scalars';
import { JSON_TYPES } from './convert-values';

const SCALARS: Record<string, GraphQLScalarType> = {
  double: GraphQLFloat,
  float: GraphQLFloat,
  int32: GraphQLInt,
  uint32: GraphQLFloat, // up to 2^32-1: beyond GraphQL Int, exact as Float
  sint32: GraphQLInt,
  fixed32: GraphQLFloat,
  sfixed32: GraphQLInt,
  int64: GraphQLInt64,
  uint64: GraphQLInt64,
  sint64: GraphQLInt64,
  fixed64: GraphQLInt64,
  sfixed64: GraphQLInt64,
  bool: GraphQLBoolean,
  string: GraphQLString,
  bytes: GraphQLString, // base64
};

const WELL_KNOWN: Record<string, GraphQLScalarType> = {
  '.google.protobuf.Timestamp': GraphQLDateTime,
  '.google.protobuf.Duration': GraphQLDuration,
  '.google.protobuf.FieldMask': GraphQLString,
  '.google.protobuf.Empty': GraphQLBoolean,
  '.google.protobuf.DoubleValue': GraphQLFloat,
  '.google.protobuf.FloatValue': GraphQLFloat,
  '.google.protobuf.Int64Value': GraphQLInt64,
  '.google.protobuf.UInt64Value': GraphQLInt64,
  '.google.protobuf.Int32Value': GraphQLInt,
  '.google.protobuf.UInt32Value': GraphQLFloat,
  '.google.protobuf.BoolValue': GraphQLBoolean,
  '.google.protobuf.StringValue': GraphQLString,
  '.google.protobuf.BytesValue': GraphQLString,
};

/**
 * Builds GraphQL output and input types from protobufjs reflection, once per
 * source. Names are the message's short name (nested ones joined with `_`);
 * the package becomes a prefix only where two messages share a name.
 */
export class GrpcTypeMapper {
  private readonly outputs = new Map<string, GraphQLOutputType>();
  private readonly inputs = new Map<string, GraphQLInputType>();
  private readonly names = new Map<string, string>();
  private readonly mapEntries = new Map<string, GraphQLObjectType | GraphQLInputObjectType>();

  constructor(reachable: ReadonlyArray<protobuf.Type | protobuf.Enum>) {
    const byShortName = new Map<string, string[]>();
    for (const type of reachable) {
      const short = this.shortName(type);
      byShortName.set(short, [...(byShortName.get(short) ?? []), type.fullName]);
    }
    for (const [short, fullNames] of byShortName) {
      for (const fullName of fullNames)
        this.names.set(fullName, fullNames.length === 1 ? short : fullName.slice(1).replace(/\./g, '_'));
    }
  }

  private shortName(type: protobuf.ReflectionObject): string {
    const parts: string[] = [];
    for (
      let current: protobuf.ReflectionObject | null = type;
      current && (current instanceof protobuf.Type || current instanceof protobuf.Enum);
      current = current.parent
    ) {
      parts.unshift(current.name);
    }
    return parts.join('_');
  }

  nameOf(type: protobuf.Type | protobuf.Enum): string {
    return this.names.get(type.fullName) ?? this.shortName(type);
  }

  private wellKnown(type: protobuf.Type): (GraphQLOutputType & GraphQLInputType) | undefined {
    return WELL_KNOWN[type.fullName] ?? (JSON_TYPES.has(type.fullName) ? GraphQLJSON : undefined);
  }

  private enumType(type: protobuf.Enum): GraphQLEnumType {
    const existing = this.outputs.get(type.fullName);
    if (existing) return existing as GraphQLEnumType;
    const values = Object.fromEntries(Object.keys(type.values).map((value) => [value, { value }]));
    const created = new GraphQLEnumType({ name: this.nameOf(type), values, description: type.comment ?? undefined });
    this.outputs.set(type.fullName, created);
    this.inputs.set(type.fullName, created);
    return created;
  }

  private singleOutput(field: protobuf.FieldBase): GraphQLOutputType {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Enum) return this.enumType(resolved);
    if (resolved instanceof protobuf.Type) return this.wellKnown(resolved) ?? this.messageOutput(resolved);
    return SCALARS[field.type] ?? GraphQLString;
  }

  private singleInput(field: protobuf.FieldBase): GraphQLInputType {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Enum) return this.enumType(resolved);
    if (resolved instanceof protobuf.Type) return this.wellKnown(resolved) ?? this.messageInput(resolved);
    return SCALARS[field.type] ?? GraphQLString;
  }

  private mapEntry(field: protobuf.Field, owner: protobuf.Type, input: boolean) {
    const name = `${this.nameOf(owner)}_${field.name[0].toUpperCase()}${field.name.slice(1)}Entry${input ? 'Input' : ''}`;
    const existing = this.mapEntries.get(name);
    if (existing) return existing;
    const key = SCALARS[(field as unknown as protobuf.MapField).keyType] ?? GraphQLString;
    const created = input
      ? new GraphQLInputObjectType({
          name,
          fields: () => ({ key: { type: new GraphQLNonNull(key) }, value: { type: this.singleInput(field) } }),
        })
      : new GraphQLObjectType({
          name,
          fields: () => ({ key: { type: new GraphQLNonNull(key) }, value: { type: this.singleOutput(field) } }),
        });
    this.mapEntries.set(name, created);
    return created;
  }

  fieldOutput(field: protobuf.Field, owner: protobuf.Type): GraphQLOutputType {
    if (field.map)
      return new GraphQLNonNull(
        new GraphQLList(new GraphQLNonNull(this.mapEntry(field, owner, false) as GraphQLObjectType)),
      );
    const single = this.singleOutput(field);
    if (field.repeated) return new GraphQLNonNull(new GraphQLList(single));
    // proto3 scalars and enums always have a value; messages, wrappers, oneof members and `optional` may be absent.
    const alwaysSet = !(field.resolvedType instanceof protobuf.Type) && !field.partOf;
    return alwaysSet ? new GraphQLNonNull(single) : single;
  }

  fieldInput(field: protobuf.Field, owner: protobuf.Type): GraphQLInputType {
    if (field.map)
      return new GraphQLList(new GraphQLNonNull(this.mapEntry(field, owner, true) as GraphQLInputObjectType));
    const single = this.singleInput(field);
    return field.repeated ? new GraphQLList(single) : single;
  }

  messageOutput(type: protobuf.Type): GraphQLOutputType {
    const known = this.wellKnown(type);
    if (known) return known;
    const existing = this.outputs.get(type.fullName);
    if (existing) return existing;
    const created = new GraphQLObjectType({
      name: this.nameOf(type),
      description: type.comment ?? undefined,
      fields: () => {
        const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
        for (const field of type.fieldsArray)
          fields[field.name] = { type: this.fieldOutput(field, type), description: field.comment ?? undefined };
        for (const oneof of type.oneofsArray) {
          if (!oneof.name.startsWith('_'))
            fields[`${oneof.name}Case`] = {
              type: GraphQLString,
              description: `Which member of oneof "${oneof.name}" is set.`,
            };
        }
        if (Object.keys(fields).length === 0)
          fields._empty = { type: GraphQLBoolean, description: 'This message has no fields.' };
        return fields;
      },
    });
    this.outputs.set(type.fullName, created);
    return created;
  }

  messageInput(type: protobuf.Type): GraphQLInputType {
    const known = this.wellKnown(type);
    if (known) return known;
    const existing = this.inputs.get(type.fullName);
    if (existing) return existing;
    const created = new GraphQLInputObjectType({
      name: `${this.nameOf(type)}Input`,
      fields: () => {
        const fields: GraphQLInputFieldConfigMap = {};
        for (const field of type.fieldsArray) fields[field.name] = { type: this.fieldInput(field, type) };
        if (Object.keys(fields).length === 0) fields._empty = { type: GraphQLBoolean };
        return fields;
      },
    });
    this.inputs.set(type.fullName, created);
    return created;
  }
}
