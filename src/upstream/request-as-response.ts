import type { Dispatcher } from 'undici';

type RawHeaders = Dispatcher.ResponseData['headers'];

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Whether undici gave up because a headers or body timeout fired. */
export function isUndiciTimeout(error: unknown): boolean {
  return TIMEOUT_CODES.has((error as { code?: string })?.code ?? '');
}

function toHeaders(raw: RawHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

/** Request headers as undici's plain object form, whatever HeadersInit shape came in. */
export function plainHeaders(init: HeadersInit | undefined): Record<string, string> {
  if (!init) return {};
  if (init instanceof Headers) return Object.fromEntries(init.entries());
  if (Array.isArray(init)) return Object.fromEntries(init);
  return init as Record<string, string>;
}

/**
 * undici's `request` answer behind the part of the Fetch `Response` API the
 * handlers use (status, ok, headers, text/json/arrayBuffer, clone for
 * shadowing, body.cancel for retries). `request` skips WHATWG streams and
 * per-call AbortSignals, which were a large share of every upstream call's CPU.
 */
export class RequestResponse {
  readonly status: number;
  readonly statusText = '';
  private buffered?: Promise<Buffer>;
  private headerObject?: Headers;

  constructor(private readonly data: Dispatcher.ResponseData) {
    this.status = data.statusCode;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get headers(): Headers {
    return (this.headerObject ??= toHeaders(this.data.headers));
  }

  get body() {
    return { cancel: async () => void (await this.data.body.dump()) };
  }

  private bytes(): Promise<Buffer> {
    return (this.buffered ??= this.data.body.arrayBuffer().then((buffer) => Buffer.from(buffer)));
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()], { type: this.headers.get('content-type') ?? '' });
  }

  /** Both copies read the same buffered body. */
  clone(): RequestResponse {
    const copy = new RequestResponse(this.data);
    copy.buffered = this.bytes();
    copy.headerObject = this.headerObject;
    return copy;
  }
}
