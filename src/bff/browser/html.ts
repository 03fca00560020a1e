/** Escapes text for HTML content and quoted attribute values. Every name and description from a spec goes through it. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );
}

/** JSON for a `<script type="application/json">` element: `<` escaped, so no text can close the element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The policy of Loom's own HTML pages: scripts and styles from this origin only
 * (no inline script, so an escaping mistake still could not run one), requests
 * to this origin only, no framing.
 */
export const PAGE_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; " +
  "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export interface PageOptions {
  /** The page title, as text (escaped here). */
  title: string;
  /** The body, as HTML (already escaped by the caller). */
  body: string;
  /** Extra elements for the head, as HTML. */
  head?: string;
}

/** Headers of every Loom HTML page. */
export function pageHeaders(contentSecurityPolicy = PAGE_CONTENT_SECURITY_POLICY): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': contentSecurityPolicy,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}
