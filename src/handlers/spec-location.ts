import { readFile } from 'node:fs/promises';

/** Whether a spec location is an http(s) URL rather than a file path. */
export const isUrl = (location: string) => /^https?:\/\//i.test(location);

/** Reads a spec (OpenAPI, WSDL, XSD) from a file path or an http(s) URL. */
export async function readLocation(location: string): Promise<string> {
  if (!isUrl(location)) return readFile(location, 'utf8');
  const response = await fetch(location);
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${location}`);
  return response.text();
}

/** The first configured endpoint: the one specs build URLs on (the HTTP client balances over all of them). */
export function firstEndpoint(endpoint: string | readonly string[] | undefined): string | undefined {
  return typeof endpoint === 'string' ? endpoint : endpoint?.[0];
}
