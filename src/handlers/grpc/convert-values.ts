import * as protobuf from 'protobufjs';

/**
 * Conversions between protobufjs objects (`Type.toObject` with longs, enums
 * and bytes as strings) and the GraphQL shapes Loom exposes: well-known types
 * become scalars, maps become key/value lists, and wrapper messages vanish.
 */

export const WRAPPER_TYPES = new Set([
  '.google.protobuf.DoubleValue',
  '.google.protobuf.FloatValue',
  '.google.protobuf.Int64Value',
  '.google.protobuf.UInt64Value',
  '.google.protobuf.Int32Value',
  '.google.protobuf.UInt32Value',
  '.google.protobuf.BoolValue',
  '.google.protobuf.StringValue',
  '.google.protobuf.BytesValue',
]);

export const JSON_TYPES = new Set([
  '.google.protobuf.Struct',
  '.google.protobuf.Value',
  '.google.protobuf.ListValue',
  '.google.protobuf.Any',
]);

/**
 * A type's full name, read once: protobufjs builds `fullName` from the parents
 * on every read (an array and a join), and a conversion reads it per message,
 * 20 orders being 20 and more. Roots are not changed after they are loaded; a
 * reload loads new ones.
 */
const fullNames = new WeakMap<protobuf.Type, string>();
function fullNameOf(type: protobuf.Type): string {
  let name = fullNames.get(type);
  if (name === undefined) {
    name = type.fullName;
    fullNames.set(type, name);
  }
  return name;
}

export const TOOBJECT_OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type ProtoValue = {
  nullValue?: unknown;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: { fields?: Record<string, ProtoValue> };
  listValue?: { values?: ProtoValue[] };
};

function valueToJson(value: ProtoValue | null | undefined): Json {
  if (!value) return null;
  if (value.structValue !== undefined && value.structValue !== null) return structToJson(value.structValue);
  if (value.listValue !== undefined && value.listValue !== null) return (value.listValue.values ?? []).map(valueToJson);
  if (value.stringValue !== undefined && value.stringValue !== null) return value.stringValue;
  if (value.numberValue !== undefined && value.numberValue !== null) return value.numberValue;
  if (value.boolValue !== undefined && value.boolValue !== null) return value.boolValue;
  return null;
}

function structToJson(struct: { fields?: Record<string, ProtoValue> } | null | undefined): Json {
  const result: Record<string, Json> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) result[key] = valueToJson(value);
  return result;
}

function jsonToValue(json: unknown): ProtoValue {
  if (json === null || json === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof json === 'number') return { numberValue: json };
  if (typeof json === 'string') return { stringValue: json };
  if (typeof json === 'boolean') return { boolValue: json };
  if (Array.isArray(json)) return { listValue: { values: json.map(jsonToValue) } };
  return { structValue: jsonToStruct(json as Record<string, unknown>) };
}

function jsonToStruct(json: Record<string, unknown>): { fields: Record<string, ProtoValue> } {
  const fields: Record<string, ProtoValue> = {};
  for (const [key, value] of Object.entries(json ?? {})) fields[key] = jsonToValue(value);
  return { fields };
}

function timestampToIso(value: { seconds?: string | number; nanos?: number }): string {
  const millis = Number(value.seconds ?? 0) * 1000 + Math.floor((value.nanos ?? 0) / 1e6);
  return new Date(millis).toISOString();
}

function isoToTimestamp(iso: string): { seconds: string; nanos: number } {
  const millis = Date.parse(iso);
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? '';
  const nanos = fraction ? Number(fraction.padEnd(9, '0').slice(0, 9)) : 0;
  return { seconds: String(Math.floor(millis / 1000)), nanos };
}

function durationToString(value: { seconds?: string | number; nanos?: number }): string {
  const nanos = value.nanos ?? 0;
  if (!nanos) return `${value.seconds ?? 0}s`;
  return `${value.seconds ?? 0}.${String(Math.abs(nanos)).padStart(9, '0').replace(/0+$/, '')}s`;
}

function stringToDuration(text: string): { seconds: string; nanos: number } {
  const [whole, fraction = ''] = text.slice(0, -1).split('.');
  const sign = whole.startsWith('-') ? -1 : 1;
  return { seconds: whole, nanos: sign * Number(fraction.padEnd(9, '0')) };
}

function messageToGraphql(type: protobuf.Type, value: Record<string, unknown>): unknown {
  const fullName = fullNameOf(type);
  switch (fullName) {
    case '.google.protobuf.Timestamp':
      return timestampToIso(value);
    case '.google.protobuf.Duration':
      return durationToString(value);
    case '.google.protobuf.Struct':
      return structToJson(value as { fields?: Record<string, ProtoValue> });
    case '.google.protobuf.Value':
      return valueToJson(value as ProtoValue);
    case '.google.protobuf.ListValue':
      return ((value.values as ProtoValue[] | undefined) ?? []).map(valueToJson);
    case '.google.protobuf.FieldMask':
      return ((value.paths as string[] | undefined) ?? []).join(',');
    case '.google.protobuf.Empty':
      return true;
  }
  if (WRAPPER_TYPES.has(fullName)) return value.value;
  if (JSON_TYPES.has(fullName)) return value;
  const result: Record<string, unknown> = {};
  for (const field of type.fieldsArray) result[field.name] = fieldToGraphql(field, value[field.name]);
  for (const oneof of type.oneofsArray)
    if (!oneof.name.startsWith('_')) result[`${oneof.name}Case`] = value[oneof.name] ?? null;
  return result;
}

function singleToGraphql(field: protobuf.Field, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return field.resolvedType instanceof protobuf.Type
    ? messageToGraphql(field.resolvedType, value as Record<string, unknown>)
    : value;
}

export function fieldToGraphql(field: protobuf.Field, value: unknown): unknown {
  if (value === null || value === undefined) return field.repeated || field.map ? [] : null;
  if (field.map)
    return Object.entries(value as Record<string, unknown>).map(([key, entry]) => ({
      key,
      value: singleToGraphql(field, entry),
    }));
  if (field.repeated) return (value as unknown[]).map((item) => singleToGraphql(field, item));
  return singleToGraphql(field, value);
}

/** A decoded message as GraphQL sees it. */
export function protoToGraphql(type: protobuf.Type, value: Record<string, unknown>): unknown {
  return messageToGraphql(type, value);
}

function messageFromGraphql(type: protobuf.Type, value: unknown, path: readonly string[]): unknown {
  const fullName = fullNameOf(type);
  switch (fullName) {
    case '.google.protobuf.Timestamp':
      return isoToTimestamp(value as string);
    case '.google.protobuf.Duration':
      return stringToDuration(value as string);
    case '.google.protobuf.Struct':
      return jsonToStruct(value as Record<string, unknown>);
    case '.google.protobuf.Value':
      return jsonToValue(value);
    case '.google.protobuf.ListValue':
      return { values: (value as unknown[]).map(jsonToValue) };
    case '.google.protobuf.FieldMask':
      return { paths: String(value).split(',').filter(Boolean) };
    case '.google.protobuf.Empty':
      return {};
  }
  if (WRAPPER_TYPES.has(fullName)) return { value };
  if (JSON_TYPES.has(fullName)) return value;
  return graphqlToProto(type, value as Record<string, unknown>, path);
}

function singleFromGraphql(field: protobuf.Field, value: unknown, path: readonly string[]): unknown {
  if (value === null || value === undefined) return undefined;
  return field.resolvedType instanceof protobuf.Type ? messageFromGraphql(field.resolvedType, value, path) : value;
}

/** A request set more than one member of a oneof; `members` are their paths from the field's arguments. */
export class OneofConflict extends Error {
  constructor(
    readonly oneof: string,
    readonly members: readonly string[],
  ) {
    super(`Set at most one of ${members.join(', ')}: they are members of oneof ${oneof}`);
    this.name = 'OneofConflict';
  }
}

/**
 * GraphQL has no oneof on arguments, so each member is an independent optional
 * argument. Two set members would be encoded and the server would silently
 * keep the last one; refuse the request instead (null counts as unset).
 */
function checkOneofs(type: protobuf.Type, result: Record<string, unknown>, path: readonly string[]): void {
  for (const oneof of type.oneofsArray) {
    const set = oneof.oneof.filter((member) => result[member] !== undefined);
    if (set.length > 1)
      throw new OneofConflict(
        `${type.name}.${oneof.name}`,
        set.map((member) => [...path, member].join('.')),
      );
  }
}

/** GraphQL arguments or input objects -> a plain object `Type.fromObject` accepts. Throws OneofConflict. */
export function graphqlToProto(
  type: protobuf.Type,
  value: Record<string, unknown> | null | undefined,
  path: readonly string[] = [],
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const input = value?.[field.name];
    if (input === null || input === undefined) continue;
    const fieldPath = [...path, field.name];
    if (field.map) {
      const entries: Record<string, unknown> = {};
      for (const entry of input as Array<{ key: string; value: unknown }>)
        entries[entry.key] = singleFromGraphql(field, entry.value, [...fieldPath, entry.key]);
      result[field.name] = entries;
    } else if (field.repeated) {
      result[field.name] = (input as unknown[]).map((item, index) =>
        singleFromGraphql(field, item, [...fieldPath, String(index)]),
      );
    } else {
      result[field.name] = singleFromGraphql(field, input, fieldPath);
    }
  }
  checkOneofs(type, result, path);
  return result;
}
