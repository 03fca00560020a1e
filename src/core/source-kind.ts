/** The kinds of spec Loom turns into a subschema. */
export const SOURCE_KINDS = ['openapi', 'grpc', 'soap', 'graphql'] as const;

export type SourceKind = (typeof SOURCE_KINDS)[number];
