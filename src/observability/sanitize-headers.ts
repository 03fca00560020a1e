/** Header names whose values never reach a log line, whatever a BFF calls its API key header. */
const SENSITIVE_HEADER = /authorization|cookie|api[-_]?key|token|secret|password|signature|session/i;

export const REDACTED = '[redacted]';

/** Request headers as a plain object, with credentials replaced by `[redacted]`. */
export function sanitizeHeaders(headers: Headers): Record<string, string> {
  const sanitized: Record<string, string> = {};
  headers.forEach((value, name) => {
    sanitized[name] = SENSITIVE_HEADER.test(name) ? REDACTED : value;
  });
  return sanitized;
}
