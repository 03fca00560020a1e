import type { BaseSourceOptions } from '../types';

export interface GraphqlSourceOptions extends BaseSourceOptions {
  kind: 'graphql';
  /** SDL file describing the remote schema; introspected from `endpoint` when absent. */
  sdl?: string;
}
