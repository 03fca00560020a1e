import { ConfigError } from '../../errors';
import type { LoadedSource, SourceHandler } from '../types';
import type { GrpcSourceOptions } from './grpc-source-options';

export const grpcHandler: SourceHandler<GrpcSourceOptions> = {
  kind: 'grpc',
  async load(source: GrpcSourceOptions): Promise<LoadedSource> {
    throw new ConfigError(`source "${source.name}": kind "grpc" is not implemented yet`);
  },
};
