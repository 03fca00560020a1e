import { ConfigError } from '../../errors';
import type { LoadedSource, SourceHandler } from '../types';
import type { SoapSourceOptions } from './soap-source-options';

export const soapHandler: SourceHandler<SoapSourceOptions> = {
  kind: 'soap',
  async load(source: SoapSourceOptions): Promise<LoadedSource> {
    throw new ConfigError(`source "${source.name}": kind "soap" is not implemented yet`);
  },
};
