import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** 64-bit integers travel as decimal strings: never rounded through a JS number. */
export const GraphQLInt64 = new GraphQLScalarType({
  name: 'Int64',
  description: 'A 64-bit integer, as a decimal string (exact beyond 2^53).',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    throw new GraphQLError(`Int64 must be an integer or a decimal string, got ${JSON.stringify(value)}`);
  },
  parseLiteral: (node) => {
    if ((node.kind === Kind.STRING || node.kind === Kind.INT) && /^-?\d+$/.test(node.value)) return node.value;
    throw new GraphQLError('Int64 must be an integer or a decimal string');
  },
});

/** google.protobuf.Timestamp as an RFC 3339 string. */
export const GraphQLDateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An RFC 3339 date-time string (google.protobuf.Timestamp, xs:dateTime).',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
      throw new GraphQLError(`DateTime must be an RFC 3339 string, got ${JSON.stringify(value)}`);
    return value;
  },
  parseLiteral: (node) => {
    if (node.kind !== Kind.STRING || Number.isNaN(Date.parse(node.value)))
      throw new GraphQLError('DateTime must be an RFC 3339 string');
    return node.value;
  },
});

/** google.protobuf.Duration in its JSON form: seconds with an `s` suffix, e.g. "1.5s". */
export const GraphQLDuration = new GraphQLScalarType({
  name: 'Duration',
  description: 'A duration in seconds with an "s" suffix, e.g. "1.5s" (google.protobuf.Duration).',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== 'string' || !/^-?\d+(\.\d{1,9})?s$/.test(value))
      throw new GraphQLError(`Duration must look like "1.5s", got ${JSON.stringify(value)}`);
    return value;
  },
  parseLiteral: (node) => {
    if (node.kind !== Kind.STRING || !/^-?\d+(\.\d{1,9})?s$/.test(node.value))
      throw new GraphQLError('Duration must look like "1.5s"');
    return node.value;
  },
});

function stringScalar(name: string, description: string, pattern: RegExp, example: string) {
  const check = (value: unknown) => {
    if (typeof value === 'string' && pattern.test(value)) return value;
    if (typeof value === 'number' && pattern.test(String(value))) return String(value);
    throw new GraphQLError(`${name} must look like ${example}, got ${JSON.stringify(value)}`);
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize: (value) => String(value),
    parseValue: check,
    parseLiteral: (node) => {
      if (node.kind === Kind.STRING || node.kind === Kind.INT || node.kind === Kind.FLOAT) return check(node.value);
      throw new GraphQLError(`${name} must look like ${example}`);
    },
  });
}

/** xs:decimal as a decimal string: never rounded through a binary float. */
export const GraphQLDecimal = stringScalar(
  'Decimal',
  'An exact decimal number, as a string (xs:decimal).',
  /^[-+]?(\d+(\.\d*)?|\.\d+)$/,
  '"12.50"',
);

/** xs:date as YYYY-MM-DD (an optional time zone is kept). */
export const GraphQLDate = stringScalar(
  'Date',
  'A calendar date, YYYY-MM-DD (xs:date).',
  /^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/,
  '"2026-01-31"',
);
