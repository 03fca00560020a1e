import { ConfigError } from '../../errors';
import type { LoadedSource, SourceHandler } from '../types';
import type { GraphqlSourceOptions } from './graphql-source-options';

export const graphqlHandler: SourceHandler<GraphqlSourceOptions> = {
  kind: 'graphql',
  async load(source: GraphqlSourceOptions): Promise<LoadedSource> {
    throw new ConfigError(`source "${source.name}": kind "graphql" is not implemented yet`);
  },
};
