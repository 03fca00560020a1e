import type { JwtOptions } from '../src/plugins/auth/create-jwt-verifier';

/**
 * What the demo BFFs (bff/*.ts), the demo token issuer and `loom serve --demo`
 * agree on. Nothing here is a secret: the issuer makes its signing key at
 * start-up, and the IoT key is a published demo value (set
 * LOOM_DEMO_IOT_API_KEY to use another).
 */

/** `iss` of every demo token. */
export const DEMO_ISSUER = 'loom-demo-issuer';
/** `aud` of every demo token. */
export const DEMO_AUDIENCE = 'loom-demo';
/** Scope a caller needs for any mutation on web and mobile. */
export const DEMO_WRITE_SCOPE = 'shop:write';
/** Where `npm start` runs the demo token issuer. */
export const DEMO_ISSUER_PORT = 4104;

/** JWKS the web and mobile BFFs verify tokens with. */
export function demoJwksUrl(): string {
  return process.env.LOOM_DEMO_JWKS_URL ?? `http://127.0.0.1:${DEMO_ISSUER_PORT}/.well-known/jwks.json`;
}

/** The one API key the demo IoT BFF accepts; printed at start-up. */
export function demoIotApiKey(): string {
  return process.env.LOOM_DEMO_IOT_API_KEY ?? 'demo-iot-key-not-a-secret';
}

/** How the web and mobile BFFs check demo tokens: ES256 from the issuer's JWKS, this issuer and audience only. */
export function demoJwtOptions(): JwtOptions {
  return { jwksUrl: demoJwksUrl(), issuer: DEMO_ISSUER, audience: DEMO_AUDIENCE, algorithms: ['ES256'] };
}
