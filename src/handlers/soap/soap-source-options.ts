import { z } from 'zod';
import { nonEmptyString, oneOf, strictObject } from '../../core/options-schema';
import { baseSourceShape } from '../types';

const credentialsSchema = strictObject({ username: z.string(), password: z.string() });

export const soapSourceOptionsSchema = strictObject({
  ...baseSourceShape('url'),
  kind: z.literal('soap'),
  /** WSDL 1.1 file path (relative to the config) or http(s) URL. */
  wsdl: nonEmptyString(),
  /** Which binding to call when the WSDL offers SOAP 1.1 and 1.2. @default '1.1' */
  soapVersion: oneOf(['1.1', '1.2']).optional(),
  /** Per-operation override of Query/Mutation placement. */
  operations: z.record(z.string(), oneOf(['query', 'mutation']), { error: 'must be an object' }).optional(),
  /** Upstream authentication. */
  auth: strictObject({
    /** WS-Security UsernameToken in the SOAP header. */
    wsSecurity: strictObject({
      username: z.string(),
      password: z.string(),
      /** @default 'PasswordText' */
      passwordType: oneOf(['PasswordText', 'PasswordDigest']).optional(),
    }).optional(),
    /** HTTP Basic authentication. */
    basic: credentialsSchema.optional(),
  }).optional(),
});

export type SoapSourceOptions = z.input<typeof soapSourceOptionsSchema>;
