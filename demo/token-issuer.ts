import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { CallCounter } from './call-counter';
import { DEMO_AUDIENCE, DEMO_ISSUER, DEMO_WRITE_SCOPE } from './demo-auth';
import { readBody, sendJson, startHttpBackend, type BackendListenOptions, type RunningBackend } from './http-backend';

export interface TokenIssuer extends RunningBackend {
  /** The JWKS URL the BFFs verify with. */
  readonly jwksUrl: string;
}

/** What POST /token accepts; every field is optional. */
interface TokenRequest {
  sub?: unknown;
  scope?: unknown;
  plan?: unknown;
}

/** Demo tokens live 15 minutes: long enough to try things, short enough that a pasted one goes stale. */
const TOKEN_LIFETIME_SECONDS = 900;
const NAME = /^[\w.:@-]{1,64}$/;

function readTokenRequest(text: string): { sub: string; scopes: string[]; plan: string } | string {
  let body: TokenRequest;
  try {
    body = text.trim() === '' ? {} : (JSON.parse(text) as TokenRequest);
  } catch {
    return 'body must be JSON: {"sub": "...", "scope": "a b", "plan": "free"}';
  }
  if (typeof body !== 'object' || body === null) return 'body must be a JSON object';
  const sub = body.sub ?? 'demo-user';
  const plan = body.plan ?? 'free';
  const scope = body.scope ?? DEMO_WRITE_SCOPE;
  if (typeof sub !== 'string' || !NAME.test(sub)) return 'sub must be 1-64 letters, digits or _ . : @ -';
  if (typeof plan !== 'string' || !NAME.test(plan)) return 'plan must be 1-64 letters, digits or _ . : @ -';
  const scopes = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : scope;
  if (!Array.isArray(scopes) || !scopes.every((item) => typeof item === 'string' && NAME.test(item)))
    return 'scope must be a space-separated string or a list of names';
  return { sub, scopes: scopes as string[], plan };
}

/**
 * The demo's token issuer on node:http: an ES256 key pair made at start-up
 * (never written anywhere, gone at exit), its public half at
 * GET /.well-known/jwks.json, and POST /token signing a short-lived token for
 * the subject, scopes and plan asked for. Anyone who can reach it gets any
 * token it can sign, so it listens on 127.0.0.1 only: a stand-in for a real
 * identity provider, never one.
 */
export async function startTokenIssuer(options: BackendListenOptions = {}): Promise<TokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwks = { keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] };
  const calls = new CallCounter();

  const handler = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.method === 'GET' && url.pathname === '/.well-known/jwks.json') {
      calls.record('jwks');
      return sendJson(res, 200, jwks);
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      calls.record('token');
      const request = readTokenRequest(await readBody(req));
      if (typeof request === 'string')
        return sendJson(res, 400, { error: 'invalid_request', error_description: request });
      const token = await new SignJWT({ scope: request.scopes.join(' '), plan: request.plan })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(DEMO_ISSUER)
        .setAudience(DEMO_AUDIENCE)
        .setSubject(request.sub)
        .setIssuedAt()
        .setExpirationTime(`${TOKEN_LIFETIME_SECONDS}s`)
        .sign(privateKey);
      return sendJson(res, 200, {
        access_token: token,
        token_type: 'Bearer',
        expires_in: TOKEN_LIFETIME_SECONDS,
        scope: request.scopes.join(' '),
      });
    }
    sendJson(res, 404, { error: 'not_found', error_description: 'GET /.well-known/jwks.json or POST /token' });
  };
  const backend = await startHttpBackend(handler, options, calls, new Map());
  return { ...backend, jwksUrl: `${backend.url}/.well-known/jwks.json` };
}
