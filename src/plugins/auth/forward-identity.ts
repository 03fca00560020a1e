import type { RequestIdentity } from '../../core/context';
import { PolicyOptionError } from '../shared/option-checks';

/** What of the identity a header carries: a fixed part, or any JWT claim (`claim:tenant`). */
export type IdentityPart = 'subject' | 'plan' | 'scopes' | 'kind' | `claim:${string}`;

export interface ForwardIdentityOptions {
  /**
   * Header name -> identity part, e.g. `{ 'x-user-id': 'subject', 'x-user-scopes': 'scopes' }`.
   * Loom sets these on the incoming request after authentication (and removes any
   * value the client sent itself), so a source that lists them in `forwardHeaders`
   * receives the verified identity as headers (gRPC: metadata).
   */
  headers: Record<string, IdentityPart>;
}

const FIXED_PARTS = ['subject', 'plan', 'scopes', 'kind'];

export function validateForwardIdentity(options: ForwardIdentityOptions): void {
  if (!options.headers || typeof options.headers !== 'object')
    throw new PolicyOptionError('useAuth', 'forwardIdentity.headers must be an object');
  for (const [header, part] of Object.entries(options.headers)) {
    if (!/^[a-z0-9-]+$/i.test(header))
      throw new PolicyOptionError('useAuth', `forwardIdentity: "${header}" is not a header name`);
    if (!FIXED_PARTS.includes(part) && !/^claim:.+/.test(part)) {
      throw new PolicyOptionError(
        'useAuth',
        `forwardIdentity: "${header}" maps to "${part}"; use subject, plan, scopes, kind or claim:<name>`,
      );
    }
  }
}

export function identityPart(identity: RequestIdentity, part: IdentityPart): string | undefined {
  if (part === 'subject') return identity.subject;
  if (part === 'plan') return identity.plan;
  if (part === 'kind') return identity.kind;
  if (part === 'scopes') return identity.scopes.join(' ');
  const claim = identity.claims?.[part.slice('claim:'.length)];
  if (claim === undefined || claim === null) return undefined;
  return typeof claim === 'string' ? claim : JSON.stringify(claim);
}

/** Overwrites the identity headers on the request the upstream handlers forward from. */
export function applyIdentityHeaders(
  request: Request,
  identity: RequestIdentity,
  options: ForwardIdentityOptions,
): void {
  for (const [header, part] of Object.entries(options.headers)) {
    // Always drop the client's own value first: a caller must never choose the identity upstreams see.
    request.headers.delete(header);
    const value = identityPart(identity, part);
    if (value !== undefined && value !== '') request.headers.set(header, value);
  }
}
