import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';
import { z } from 'zod';
import { oneOf, positiveInteger, strictObject } from '../../core/options-schema';
import { requirePositiveInteger } from '../shared/option-checks';

export type CompressionEncoding = 'br' | 'gzip';

export const compressionOptionsSchema = strictObject({
  /** Smaller bodies go out as they are: compressing them costs more CPU than the bytes it saves. @default 1024 */
  minBytes: positiveInteger().optional(),
  /** Encodings offered, in order of preference when the client accepts several equally. @default ['br', 'gzip'] */
  encodings: z
    .array(oneOf(['br', 'gzip']), { error: 'must be a list of br, gzip' })
    .min(1, { error: 'must be a non-empty list of br, gzip' })
    .optional(),
});

export type CompressionOptions = z.input<typeof compressionOptionsSchema>;

export interface ResolvedCompression {
  readonly minBytes: number;
  readonly encodings: readonly CompressionEncoding[];
}

export const DEFAULT_COMPRESSION: ResolvedCompression = { minBytes: 1024, encodings: ['br', 'gzip'] };

const ENCODINGS: readonly CompressionEncoding[] = ['br', 'gzip'];

/** Fills the defaults in and rejects bad options (at start-up). */
export function resolveCompression({
  minBytes = DEFAULT_COMPRESSION.minBytes,
  encodings = [...DEFAULT_COMPRESSION.encodings],
}: CompressionOptions = {}): ResolvedCompression {
  requirePositiveInteger('useCompression', 'minBytes', minBytes);
  if (
    !Array.isArray(encodings) ||
    encodings.length === 0 ||
    encodings.some((encoding) => !ENCODINGS.includes(encoding))
  ) {
    throw new TypeError(
      `useCompression: encodings must be a non-empty list of ${ENCODINGS.join(', ')}, got ${JSON.stringify(encodings)}`,
    );
  }
  return { minBytes, encodings };
}

/**
 * The encoding to answer with for an `Accept-Encoding` header: the acceptable
 * one with the highest q-value, ties going to `offered` order. `*` stands for
 * any encoding not named; `q=0` refuses one.
 */
export function negotiateEncoding(
  acceptEncoding: string | null,
  offered: readonly CompressionEncoding[],
): CompressionEncoding | undefined {
  if (!acceptEncoding) return undefined;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...parameters] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = parameters
      .map((parameter) => /^\s*q=([0-9.]+)\s*$/.exec(parameter)?.[1])
      .find((value) => value !== undefined);
    weights.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  let best: { encoding: CompressionEncoding; q: number } | undefined;
  for (const encoding of offered) {
    const q = weights.get(encoding) ?? weights.get('*') ?? 0;
    if (q > 0 && (!best || q > best.q)) best = { encoding, q };
  }
  return best?.encoding;
}

/** Streams (SSE, multipart incremental delivery) go out per event: compressing them would hold events back. */
const STREAMING = /^(text\/event-stream|multipart\/)/i;

// Brotli's default quality (11) is for static files; 4 compresses JSON about as well as gzip at a fraction of the CPU.
const compressors: Record<CompressionEncoding, (body: Uint8Array) => Promise<Buffer>> = {
  br: (body) =>
    promisify(brotliCompress)(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength },
    }),
  gzip: (body) => promisify(gzip)(body, { level: 6 }),
};

/**
 * `response` compressed for `request` when the client accepts an offered
 * encoding and the body is at least `minBytes`; otherwise `response` itself
 * (or, once its body has been read, an identical copy). Adds
 * `Vary: Accept-Encoding` to every answer that could have been compressed.
 */
export async function compressResponse(
  request: Request,
  response: Response,
  options: ResolvedCompression,
  ResponseClass: typeof Response = Response,
): Promise<Response> {
  if (!response.body || response.headers.has('content-encoding') || request.method === 'HEAD') return response;
  if (STREAMING.test(response.headers.get('content-type') ?? '')) return response;
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) < options.minBytes) return response;
  const headers = new Headers(response.headers);
  headers.append('vary', 'Accept-Encoding');
  const encoding = negotiateEncoding(request.headers.get('accept-encoding'), options.encodings);
  const body = new Uint8Array(await response.arrayBuffer());
  const init = { status: response.status, statusText: response.statusText, headers };
  if (!encoding || body.byteLength < options.minBytes) return new ResponseClass(body, init);
  const compressed = await compressors[encoding](body);
  headers.set('content-encoding', encoding);
  headers.set('content-length', String(compressed.byteLength));
  return new ResponseClass(new Uint8Array(compressed), init);
}

/**
 * Response compression for a Yoga app: gzip or br by `Accept-Encoding`, above
 * a size threshold, never for SSE or multipart streams. Put it after every
 * plugin that reads the response (response replay learns the uncompressed one).
 */
export function useCompression(options: CompressionOptions = {}): Plugin {
  const resolved = resolveCompression(options);
  return {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      const compressed = await compressResponse(request, response, resolved, fetchAPI.Response);
      if (compressed !== response) setResponse(compressed);
    },
  };
}
