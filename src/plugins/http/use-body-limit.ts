import { isUtf8 } from 'node:buffer';
import type { Plugin } from 'graphql-yoga';
import { badRequest, payloadTooLarge } from '../../core/errors';
import { requirePositiveInteger } from '../shared/option-checks';

export interface BodyLimitOptions {
  /** Largest request body accepted, in bytes. Larger ones get 413 PAYLOAD_TOO_LARGE. @default 102400 (100 KiB) */
  maxBytes?: number;
  /** Refuse JSON, GraphQL and form bodies that are not valid UTF-8 (400 BAD_REQUEST) instead of decoding them lossily. @default true */
  requireUtf8?: boolean;
}

const TEXT_BODY =
  /^(application\/(json|graphql\+json|graphql-response\+json|x-www-form-urlencoded)|application\/graphql)\b/i;

/**
 * Counts bytes as they stream in, so a chunked body without Content-Length is
 * cut off at the limit instead of being buffered whole.
 */
function limitBody(
  request: Request,
  maxBytes: number,
  requireUtf8: boolean,
  fetchAPI: { Request: typeof Request; TransformStream: typeof TransformStream },
): Request {
  const body = request.body;
  if (!body) return request;
  const checkUtf8 = requireUtf8 && TEXT_BODY.test(request.headers.get('content-type') ?? '');
  const decoder = checkUtf8 ? new TextDecoder('utf-8', { fatal: true }) : undefined;
  // Yoga's own limiter notes that a native stream must go through the native TransformStream.
  const TransformStreamCtor = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let bytesRead = 0;
  const limited = body.pipeThrough(
    new TransformStreamCtor<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytesRead += chunk.byteLength;
        if (bytesRead > maxBytes) return controller.error(payloadTooLarge(maxBytes));
        try {
          decoder?.decode(chunk, { stream: true });
        } catch {
          return controller.error(badRequest('Request body is not valid UTF-8'));
        }
        controller.enqueue(chunk);
      },
      flush(controller) {
        try {
          decoder?.decode();
        } catch {
          controller.error(badRequest('Request body is not valid UTF-8'));
        }
      },
    }),
  );
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: limited,
    duplex: 'half',
  } as RequestInit);
}

/** Request body size limit (413 PAYLOAD_TOO_LARGE), by Content-Length when sent and by counting otherwise. */
export function useBodyLimit({ maxBytes = 102_400, requireUtf8 = true }: BodyLimitOptions = {}): Plugin {
  requirePositiveInteger('useBodyLimit', 'maxBytes', maxBytes);
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI, serverContext }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength !== null) {
        if (!/^\d+$/.test(contentLength)) throw badRequest('Content-Length header is invalid');
        if (Number(contentLength) > maxBytes) throw payloadTooLarge(maxBytes);
      }
      // Read whole by the server (src/server/read-small-body): checked as it is, no stream to count.
      const preRead = (serverContext as { req?: { body?: unknown } } | undefined)?.req?.body;
      if (Buffer.isBuffer(preRead)) {
        if (preRead.length > maxBytes) throw payloadTooLarge(maxBytes);
        if (requireUtf8 && TEXT_BODY.test(request.headers.get('content-type') ?? '') && !isUtf8(preRead))
          throw badRequest('Request body is not valid UTF-8');
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((incoming) => parse(limitBody(incoming, maxBytes, requireUtf8, fetchAPI)));
    },
  };
}
