import { startTokenIssuer, type TokenIssuer } from '../../demo/token-issuer';

export interface DemoIssuerUnderTest {
  readonly issuer: TokenIssuer;
  /** Asks the issuer for a token (POST /token) and returns the Authorization header carrying it. */
  bearer(request?: { sub?: string; scope?: string | string[]; plan?: string }): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * The demo token issuer on 127.0.0.1:0, with the demo web and mobile BFFs
 * pointed at its JWKS (LOOM_DEMO_JWKS_URL, read when a BFF file loads):
 * start it before the gateway.
 */
export async function startDemoIssuer(): Promise<DemoIssuerUnderTest> {
  const issuer = await startTokenIssuer();
  const previous = process.env.LOOM_DEMO_JWKS_URL;
  process.env.LOOM_DEMO_JWKS_URL = issuer.jwksUrl;
  return {
    issuer,
    async bearer(request = {}) {
      const response = await fetch(`${issuer.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      if (response.status !== 200) throw new Error(`demo issuer answered ${response.status}: ${await response.text()}`);
      const { access_token: token } = (await response.json()) as { access_token: string };
      return { authorization: `Bearer ${token}` };
    },
    async close() {
      if (previous === undefined) delete process.env.LOOM_DEMO_JWKS_URL;
      else process.env.LOOM_DEMO_JWKS_URL = previous;
      await issuer.close();
    },
  };
}
