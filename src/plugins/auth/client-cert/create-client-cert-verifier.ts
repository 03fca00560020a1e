import type { IncomingMessage } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { unauthenticated } from '../../../core/errors';
import type { RequestIdentity } from '../../../core/context';
import { PolicyOptionError, requireOneOf, requireStringList } from '../../shared/option-checks';

export interface ClientCertAuthOptions {
  /**
   * Which name of the verified certificate is the identity's subject: the
   * subject's CN, or its first subjectAltName of a type (`dns`, `uri` such as
   * a SPIFFE id, `email`). A certificate without one is refused (401).
   * @default 'cn'
   */
  subjectFrom?: 'cn' | 'dns' | 'uri' | 'email';
  /** Scopes by subject: `{ 'billing-service': ['orders:read'] }`. @default {} */
  scopesBySubject?: Record<string, string[]>;
  /**
   * Scopes by the value of a subject attribute (`O`, `OU`, `C`, ...):
   * `{ OU: { ops: ['admin'] } }`. Added to those by subject. @default {}
   */
  scopesByField?: Record<string, Record<string, string[]>>;
}

/** node's request objects for both HTTP versions and WebSocket upgrades: the TLS socket carries the peer certificate. */
interface NodeRequestLike {
  socket?: unknown;
  stream?: { session?: { socket?: unknown } };
}

type PeerSocket = Pick<TLSSocket, 'getPeerCertificate' | 'authorized' | 'authorizationError'>;

/** The TLS socket of an HTTP/1.1 request or upgrade (its own), or of an HTTP/2 stream (its session's). */
function tlsSocketOf(req: NodeRequestLike | undefined): PeerSocket | undefined {
  const candidates = [req?.stream?.session?.socket, req?.socket];
  for (const socket of candidates) {
    if (socket && typeof (socket as PeerSocket).getPeerCertificate === 'function') return socket as PeerSocket;
  }
  return undefined;
}

const SAN_PREFIX = { dns: 'DNS:', uri: 'URI:', email: 'email:' } as const;

/** `DNS:a, URI:spiffe://x` as a list; node joins the names with ", " (quoting any that hold one). */
function subjectAltNames(certificate: PeerCertificate): string[] {
  return (certificate.subjectaltname ?? '')
    .split(/, (?=[A-Za-z ]+:)/)
    .map((name) => name.trim())
    .filter(Boolean);
}

const attributeValues = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export function validateClientCertOptions(options: ClientCertAuthOptions): void {
  requireOneOf('useAuth', 'clientCert.subjectFrom', options.subjectFrom ?? 'cn', [
    'cn',
    'dns',
    'uri',
    'email',
  ] as const);
  for (const [subject, scopes] of Object.entries(options.scopesBySubject ?? {}))
    requireStringList('useAuth', `clientCert.scopesBySubject.${subject}`, scopes);
  for (const [field, byValue] of Object.entries(options.scopesByField ?? {})) {
    if (!/^[A-Za-z][A-Za-z0-9.]*$/.test(field))
      throw new PolicyOptionError(
        'useAuth',
        `clientCert.scopesByField key ${JSON.stringify(field)} is not a subject attribute`,
      );
    if (!byValue || typeof byValue !== 'object' || Array.isArray(byValue))
      throw new PolicyOptionError('useAuth', `clientCert.scopesByField.${field} must map values to scope lists`);
    for (const [value, scopes] of Object.entries(byValue))
      requireStringList('useAuth', `clientCert.scopesByField.${field}.${value}`, scopes);
  }
}

/**
 * The identity a verified client certificate stands for, or undefined when
 * the connection carries none (plain HTTP, or TLS without a client
 * certificate). A certificate the listener could not verify against `tls.ca`
 * (another CA, expired, not yet valid) is refused with 401 UNAUTHENTICATED,
 * never ignored: the caller meant it as their credential. TLS itself proved
 * the client holds the key (the handshake's CertificateVerify).
 */
export type ClientCertVerifier = (serverContext: unknown) => RequestIdentity | undefined;

export function createClientCertVerifier(options: ClientCertAuthOptions): ClientCertVerifier {
  validateClientCertOptions(options);
  const subjectFrom = options.subjectFrom ?? 'cn';
  const scopesBySubject = options.scopesBySubject ?? {};
  const scopesByField = options.scopesByField ?? {};
  return (serverContext) => {
    const req = (serverContext as { req?: IncomingMessage & NodeRequestLike } | undefined)?.req;
    const socket = tlsSocketOf(req);
    if (!socket) return undefined;
    const certificate = socket.getPeerCertificate();
    // node answers an empty object when the client sent no certificate.
    if (!certificate || Object.keys(certificate).length === 0) return undefined;
    if (!socket.authorized)
      throw unauthenticated(`Client certificate not accepted (${String(socket.authorizationError ?? 'unverified')})`);
    const sans = subjectAltNames(certificate);
    const subject =
      subjectFrom === 'cn'
        ? attributeValues(certificate.subject?.CN)[0]
        : sans.find((name) => name.startsWith(SAN_PREFIX[subjectFrom]))?.slice(SAN_PREFIX[subjectFrom].length);
    if (!subject)
      throw unauthenticated(`Client certificate has no ${subjectFrom === 'cn' ? 'subject CN' : `${subjectFrom} name`}`);
    const scopes = new Set(scopesBySubject[subject] ?? []);
    const attributes = (certificate.subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
    for (const [field, byValue] of Object.entries(scopesByField)) {
      for (const value of attributeValues(attributes[field]))
        for (const scope of byValue[value] ?? []) scopes.add(scope);
    }
    return {
      kind: 'clientCert',
      subject,
      scopes: [...scopes],
      claims: {
        subject: { ...attributes },
        subjectAltNames: sans,
        issuer: attributeValues(certificate.issuer?.CN)[0],
        fingerprint256: certificate.fingerprint256,
        validTo: certificate.valid_to,
      },
    };
  };
}
