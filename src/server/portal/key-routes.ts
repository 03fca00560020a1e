import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { BffApp } from '../../bff/create-bff-app';
import { strictObject } from '../../core/options-schema';
import { readCappedStream } from '../../core/read-capped-stream';
import { TooManyKeysError, type IssuedApiKey } from '../../plugins/stores/api-key-store';
import type { GatewayParts } from '../gateway-parts';
import { DEFAULT_PLAN, acceptsIssuedKeys, plansOf, readKeyUsage } from './key-plans';

/** The key API: GET lists, POST issues, DELETE <id> revokes. JSON in and out; a bearer credential on each call. */
export const KEY_API_ROOT = '/_loom/portal/api/keys';

/** Larger bodies are refused (413) before they are parsed: an issue request is three short strings. */
export const MAX_KEY_REQUEST_BYTES = 4096;
/** Longest label, in characters (code points). */
export const MAX_LABEL_LENGTH = 100;
const KEY_ID = /^key_[A-Za-z0-9_-]{16}$/;

/** Who is calling: an admin (every key, any owner) or a developer signed in with the BFF's own auth (their keys). */
export type KeyCaller = { admin: true; owner?: undefined } | { admin: false; owner: string };

class KeyApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const json = (status: number, body: unknown) =>
  new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });

const refuse = (error: KeyApiError) =>
  new Response(JSON.stringify({ error: { code: error.code, message: error.message } }), {
    status: error.status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...(error.status === 401 && { 'www-authenticate': 'Bearer' }),
    },
  });

// Compared as digests: equal lengths, no early exit on the secret.
const sameSecret = (left: string, right: string) =>
  timingSafeEqual(createHash('sha256').update(left).digest(), createHash('sha256').update(right).digest());

/**
 * The caller of a key API request. `Authorization: Bearer <token>` with the
 * admin token (accepted only where `adminAllowed`: the admin port, or the one
 * port when there is none), or with a credential the BFF's own useAuth
 * accepts as a signed-in user (JWT or OAuth2; not an API key: a key cannot
 * mint keys). Anything else is 401, an admin token on the client port 403.
 */
async function signIn(gateway: GatewayParts, app: BffApp, request: Request, adminAllowed: boolean): Promise<KeyCaller> {
  const match = /^Bearer +(\S{1,4096}) *$/i.exec(request.headers.get('authorization') ?? '');
  if (!match) throw new KeyApiError(401, 'UNAUTHENTICATED', 'Sign in: send Authorization: Bearer <token>');
  const token = match[1];
  const adminToken = gateway.config.portal.adminToken;
  if (adminToken !== undefined && sameSecret(token, adminToken)) {
    if (!adminAllowed) throw new KeyApiError(403, 'FORBIDDEN', 'Key administration is on the admin port');
    return { admin: true };
  }
  if (app.authenticateConnection) {
    // Only the credential: no API key header or query parameter rides along.
    const probe = new Request(new URL(app.endpoint, 'http://portal.invalid'), {
      headers: { authorization: `Bearer ${token}` },
    });
    const identity = await app.authenticateConnection(probe).catch(() => undefined);
    if (identity && (identity.kind === 'jwt' || identity.kind === 'oauth') && identity.subject)
      return { admin: false, owner: `${identity.kind}:${identity.subject}` };
  }
  throw new KeyApiError(401, 'UNAUTHENTICATED', 'Unknown credential: sign in with a token this BFF accepts');
}

const issueSchema = strictObject({
  bff: z.string().max(100),
  plan: z.string().max(100).optional(),
  label: z.string(),
  /** Admin only: whom the key is for. @default 'admin' */
  owner: z.string().max(200).optional(),
});

async function readIssueBody(request: Request): Promise<z.infer<typeof issueSchema>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new KeyApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the key request as application/json');
  const declared = Number(request.headers.get('content-length') ?? 0);
  const tooLarge = () =>
    new KeyApiError(413, 'PAYLOAD_TOO_LARGE', `A key request is at most ${MAX_KEY_REQUEST_BYTES} bytes`);
  if (declared > MAX_KEY_REQUEST_BYTES) throw tooLarge();
  const bytes = await readCappedStream(request.body, MAX_KEY_REQUEST_BYTES, tooLarge);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new KeyApiError(400, 'BAD_REQUEST', 'The body is not UTF-8 JSON');
  }
  const parsed = issueSchema.safeParse(body);
  if (!parsed.success)
    throw new KeyApiError(
      400,
      'BAD_REQUEST',
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '),
    );
  return parsed.data;
}

/** A label as stored: NFC, trimmed, 1-100 characters, no control characters. */
function checkLabel(raw: string): string {
  const label = raw.normalize('NFC').trim();
  if (label.length === 0) throw new KeyApiError(400, 'BAD_REQUEST', 'label: give the key a name');
  if ([...label].length > MAX_LABEL_LENGTH)
    throw new KeyApiError(400, 'BAD_REQUEST', `label: at most ${MAX_LABEL_LENGTH} characters`);
  if (/[\p{Cc}\p{Cs}\u2028\u2029]/u.test(label))
    throw new KeyApiError(400, 'BAD_REQUEST', 'label: no control characters');
  return label;
}

function keyApp(gateway: GatewayParts, name: string | null): BffApp {
  const app = name === null ? undefined : gateway.bffs.get(name);
  if (!app || !acceptsIssuedKeys(app)) throw new KeyApiError(404, 'NOT_FOUND', 'No BFF of that name takes portal keys');
  return app;
}

async function describe(gateway: GatewayParts, app: BffApp, record: IssuedApiKey) {
  return { ...record, plan: record.plan ?? DEFAULT_PLAN, usage: await readKeyUsage(gateway, app, record) };
}

async function listKeys(gateway: GatewayParts, app: BffApp, caller: KeyCaller): Promise<Response> {
  const records = await gateway.apiKeyStore.list({ bff: app.name, owner: caller.owner });
  return json(200, {
    bff: app.name,
    caller: caller.admin ? { admin: true } : { admin: false, owner: caller.owner },
    plans: plansOf(app),
    keys: await Promise.all(records.map((record) => describe(gateway, app, record))),
  });
}

async function issueKey(gateway: GatewayParts, request: Request, adminAllowed: boolean): Promise<Response> {
  // The credential is checked before the body is read: an anonymous caller gets 401 for any body.
  const app = keyApp(gateway, new URL(request.url).searchParams.get('bff'));
  const caller = await signIn(gateway, app, request, adminAllowed);
  const body = await readIssueBody(request);
  if (body.bff !== app.name) throw new KeyApiError(400, 'BAD_REQUEST', 'bff: must match the ?bff= of the request');
  const plans = plansOf(app);
  const plan = body.plan ?? DEFAULT_PLAN;
  if (!plans.includes(plan)) throw new KeyApiError(400, 'BAD_REQUEST', `plan: must be one of ${plans.join(', ')}`);
  if (body.owner !== undefined && !caller.admin)
    throw new KeyApiError(403, 'FORBIDDEN', 'owner: only an admin issues keys for someone else');
  const owner = caller.admin ? checkLabel(body.owner ?? 'admin') : caller.owner;
  try {
    const { key, record } = await gateway.apiKeyStore.issue({
      bff: app.name,
      owner,
      label: checkLabel(body.label),
      ...(plan !== DEFAULT_PLAN && { plan }),
    });
    return json(201, { key, record: await describe(gateway, app, record) });
  } catch (error) {
    if (error instanceof TooManyKeysError) throw new KeyApiError(409, 'TOO_MANY_KEYS', error.message);
    throw error;
  }
}

/**
 * The key API. `adminAllowed`: whether the admin token is accepted here. A
 * store that fails answers 503; the error's text stays in the log.
 */
export function createKeyRoutes(
  gateway: GatewayParts,
  adminAllowed: boolean,
): (request: Request, pathname: string) => Promise<Response | undefined> {
  return async (request, pathname) => {
    if (pathname !== KEY_API_ROOT && !pathname.startsWith(`${KEY_API_ROOT}/`)) return undefined;
    try {
      if (pathname === KEY_API_ROOT) {
        if (request.method === 'POST') return await issueKey(gateway, request, adminAllowed);
        if (request.method !== 'GET')
          throw new KeyApiError(405, 'METHOD_NOT_ALLOWED', 'GET lists keys, POST issues one');
        const app = keyApp(gateway, new URL(request.url).searchParams.get('bff'));
        return await listKeys(gateway, app, await signIn(gateway, app, request, adminAllowed));
      }
      const id = pathname.slice(KEY_API_ROOT.length + 1);
      if (request.method !== 'DELETE') throw new KeyApiError(405, 'METHOD_NOT_ALLOWED', 'DELETE revokes a key');
      const app = keyApp(gateway, new URL(request.url).searchParams.get('bff'));
      const caller = await signIn(gateway, app, request, adminAllowed);
      if (!KEY_ID.test(id)) throw new KeyApiError(404, 'NOT_FOUND', 'No such key');
      const mine = await gateway.apiKeyStore.list({ bff: app.name, owner: caller.owner });
      if (!mine.some((record) => record.id === id)) throw new KeyApiError(404, 'NOT_FOUND', 'No such key');
      if (!(await gateway.apiKeyStore.revoke(id, caller.owner))) throw new KeyApiError(404, 'NOT_FOUND', 'No such key');
      return json(204, null);
    } catch (error) {
      if (error instanceof KeyApiError) return refuse(error);
      gateway.logger.warn({ err: (error as Error).message }, 'portal key store failed');
      return refuse(new KeyApiError(503, 'KEY_STORE_UNAVAILABLE', 'The key store did not answer; try again'));
    }
  };
}
