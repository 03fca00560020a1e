/** The kinds of spec Loom turns into a subschema. */
export type SourceKind = 'openapi' | 'grpc' | 'soap' | 'graphql';
