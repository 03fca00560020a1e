import type { OpenApiSourceOptions } from './openapi/openapi-source-options';
import type { GrpcSourceOptions } from './grpc/grpc-source-options';
import type { SoapSourceOptions } from './soap/soap-source-options';
import type { GraphqlSourceOptions } from './graphql/graphql-source-options';

/** Every kind of source, as written in the config. */
export type SourceOptions = OpenApiSourceOptions | GrpcSourceOptions | SoapSourceOptions | GraphqlSourceOptions;
