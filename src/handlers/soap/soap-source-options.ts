import type { BaseSourceOptions } from '../types';

export interface SoapSourceOptions extends BaseSourceOptions {
  kind: 'soap';
  /** WSDL 1.1 file path (relative to the config) or http(s) URL. */
  wsdl: string;
  /** Which binding to call when the WSDL offers SOAP 1.1 and 1.2. @default '1.1' */
  soapVersion?: '1.1' | '1.2';
  /** Per-operation override of Query/Mutation placement. */
  operations?: Record<string, 'query' | 'mutation'>;
  /** Upstream authentication. */
  auth?: {
    wsSecurity?: { username: string; password: string; passwordType?: 'PasswordText' | 'PasswordDigest' };
    basic?: { username: string; password: string };
  };
}
