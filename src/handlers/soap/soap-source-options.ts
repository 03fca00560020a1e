import type { BaseSourceOptions } from '../types';

export interface SoapSourceOptions extends BaseSourceOptions {
  kind: 'soap';
  /** WSDL 1.1 file path (relative to the config) or http(s) URL. */
  wsdl: string;
  /** Per-operation override of Query/Mutation placement. */
  operations?: Record<string, 'query' | 'mutation'>;
  /** Upstream authentication. */
  auth?: {
    wsSecurity?: { username: string; password: string; passwordType?: 'PasswordText' | 'PasswordDigest' };
    basic?: { username: string; password: string };
  };
}
