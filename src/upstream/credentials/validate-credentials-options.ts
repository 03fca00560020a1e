import { z } from 'zod';
import { isSecretRef } from './secret-ref';
import type { UpstreamCredentialsOptions } from './upstream-credentials-options';

const isHttpUrl = (value: unknown) => typeof value === 'string' && /^https?:\/\/[^\s]+$/.test(value);
const isPositiveInteger = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

/** An unknown key, named (a key is no secret; its value may be). */
function unknownKeys(value: object, known: readonly string[], at: string): string | undefined {
  const extra = Object.keys(value).find((key) => !known.includes(key));
  return extra === undefined
    ? undefined
    : `${at}: unknown key "${extra.slice(0, 64)}" (known keys: ${known.join(', ')})`;
}

/**
 * What is wrong with a source's `credentials`, or undefined. Messages name the
 * option, never a value: a secret written where a `{ env }` or `{ file }`
 * belongs must not end up in the error that refuses it.
 */
export function credentialsFault(raw: unknown, kind: string): string | undefined {
  if (raw === undefined) return undefined;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return 'credentials must be an object';
  const options = raw as UpstreamCredentialsOptions;
  const unknown = unknownKeys(options, ['bearer', 'oauth2', 'hmac', 'tls'], 'credentials');
  if (unknown) return unknown;
  const nested: Array<[string, unknown, string[]]> = [
    [
      'credentials.oauth2',
      options.oauth2,
      ['tokenUrl', 'clientId', 'clientSecret', 'scopes', 'audience', 'refreshBeforeExpiryMs', 'timeoutMs'],
    ],
    ['credentials.hmac', options.hmac, ['keyId', 'secret']],
    ['credentials.tls', options.tls, ['ca', 'cert', 'key']],
  ];
  for (const [at, value, known] of nested) {
    const fault = value && typeof value === 'object' ? unknownKeys(value, known, at) : undefined;
    if (fault) return fault;
  }
  const secretFault = (name: string, value: unknown) =>
    isSecretRef(value)
      ? undefined
      : `${name} must be { env: 'VAR' } or { file: './path' } (secrets never sit in the config)`;
  const headerKinds = (['bearer', 'oauth2', 'hmac'] as const).filter((name) => options[name] !== undefined);
  if (headerKinds.length > 1)
    return `credentials: give at most one of bearer, oauth2, hmac (got ${headerKinds.join(', ')})`;
  if (options.bearer !== undefined) return secretFault('credentials.bearer', options.bearer);
  if (options.hmac !== undefined) {
    if (kind === 'grpc') return 'credentials.hmac signs HTTP requests; gRPC sources take bearer or oauth2';
    if (typeof options.hmac?.keyId !== 'string' || !/^[A-Za-z0-9+/=_\-.:]{1,256}$/.test(options.hmac.keyId))
      return 'credentials.hmac.keyId must be 1-256 characters of [A-Za-z0-9+/=_-.:]';
    return secretFault('credentials.hmac.secret', options.hmac.secret);
  }
  if (options.oauth2 !== undefined) {
    const oauth2 = options.oauth2;
    if (!isHttpUrl(oauth2?.tokenUrl)) return 'credentials.oauth2.tokenUrl must be an http(s) URL';
    if (typeof oauth2.clientId !== 'string' || oauth2.clientId === '')
      return 'credentials.oauth2.clientId must be a non-empty string';
    const fault = secretFault('credentials.oauth2.clientSecret', oauth2.clientSecret);
    if (fault) return fault;
    if (
      oauth2.scopes !== undefined &&
      (!Array.isArray(oauth2.scopes) ||
        oauth2.scopes.some((scope) => typeof scope !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope)))
    )
      return 'credentials.oauth2.scopes must be a list of scope tokens';
    for (const name of ['refreshBeforeExpiryMs', 'timeoutMs'] as const)
      if (oauth2[name] !== undefined && !isPositiveInteger(oauth2[name]))
        return `credentials.oauth2.${name} must be a positive integer (ms)`;
  }
  if (options.tls !== undefined) {
    const tls = options.tls;
    if (!tls || typeof tls !== 'object') return 'credentials.tls must be an object of PEM file paths';
    for (const name of ['ca', 'cert', 'key'] as const)
      if (tls[name] !== undefined && (typeof tls[name] !== 'string' || tls[name] === ''))
        return `credentials.tls.${name} must be a PEM file path`;
    if ((tls.cert === undefined) !== (tls.key === undefined)) return 'credentials.tls: give cert and key together';
  }
  return undefined;
}

/**
 * The config schema of `credentials`. Checked by credentialsFault rather than
 * zod's own shapes, so no message ever quotes a value: a secret written where
 * `{ env }` or `{ file }` belongs must not end up in the error that refuses it.
 */
export function upstreamCredentialsSchema(transport: 'http' | 'grpc') {
  return z
    .custom<UpstreamCredentialsOptions>(() => true)
    .superRefine((value, context) => {
      const fault = credentialsFault(value, transport);
      if (!fault) return;
      // "credentials.oauth2.tokenUrl must be ..." -> path [oauth2, tokenUrl] and the rest as the message.
      const nested = /^credentials\.([A-Za-z0-9.]+):? (.*)$/s.exec(fault);
      const path = nested ? nested[1].split('.') : [];
      const message = nested ? nested[2] : fault.replace(/^credentials(?::)? /, '');
      context.addIssue({ code: 'custom', message, path, params: { hideValue: true } });
    });
}
