import type { Dispatcher } from 'undici';

type RawHeaders = Dispatcher.ResponseData['headers'];

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Whether undici gave up because a headers or body timeout fired. */
export function isUndiciTimeout(error: unknown): boolean {
  return TIMEOUT_CODES.has((error as { code?: string })?.code ?? '');
}

/**
 * A real `Headers` (instanceof holds, every method works) filled from
 * undici's raw object on first use. transport-rest reads `response.headers`
 * for a debug log line on every call, logging on or off; building and
 * validating a WHATWG Headers there was a measurable share of a REST call.
 */
class LazyHeaders extends Headers {
  #raw: RawHeaders | undefined;

  constructor(raw: RawHeaders) {
    super();
    this.#raw = raw;
  }

  #fill(): void {
    const raw = this.#raw;
    if (!raw) return;
    this.#raw = undefined;
    for (const [name, value] of Object.entries(raw)) {
      if (Array.isArray(value)) for (const item of value) super.append(name, item);
      else if (value !== undefined) super.append(name, value);
    }
  }

  override get(name: string): string | null {
    this.#fill();
    return super.get(name);
  }
  override has(name: string): boolean {
    this.#fill();
    return super.has(name);
  }
  override getSetCookie(): string[] {
    this.#fill();
    return super.getSetCookie();
  }
  override set(name: string, value: string): void {
    this.#fill();
    super.set(name, value);
  }
  override append(name: string, value: string): void {
    this.#fill();
    super.append(name, value);
  }
  override delete(name: string): void {
    this.#fill();
    super.delete(name);
  }
  override forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    this.#fill();
    super.forEach(callback, thisArg);
  }
  override entries(): HeadersIterator<[string, string]> {
    this.#fill();
    return super.entries();
  }
  override keys(): HeadersIterator<string> {
    this.#fill();
    return super.keys();
  }
  override values(): HeadersIterator<string> {
    this.#fill();
    return super.values();
  }
  override [Symbol.iterator](): HeadersIterator<[string, string]> {
    this.#fill();
    return super[Symbol.iterator]();
  }
  [Symbol.for('nodejs.util.inspect.custom')](): unknown {
    this.#fill();
    return Object.fromEntries(super.entries());
  }
}

/** Request headers as undici's plain object form, whatever HeadersInit shape came in. */
export function plainHeaders(init: HeadersInit | undefined): Record<string, string> {
  if (!init) return {};
  if (init instanceof Headers) return Object.fromEntries(init.entries());
  if (Array.isArray(init)) return Object.fromEntries(init);
  return init as Record<string, string>;
}

/** The body grew past the limit; reading stopped. */
export class ResponseTooLargeError extends Error {
  readonly code = 'ERR_RESPONSE_TOO_LARGE';
  constructor(readonly maxBytes: number) {
    super(`response larger than ${maxBytes} bytes`);
  }
}

/**
 * Reads a whole body, counting bytes as they stream: past `maxBytes` (or a
 * declared content-length over it) the body is destroyed and the read fails
 * with ResponseTooLargeError, so a huge answer is never buffered whole. Fails
 * with the stream's error when the connection breaks or the attempt is aborted.
 */
/** The attempt's time ran out while its body was read: a timeout, like undici's own. */
export class AttemptTimeoutError extends Error {
  readonly code = 'ERR_ATTEMPT_TIMEOUT';
  constructor() {
    super('the answer did not arrive whole in time');
  }
}

/**
 * Reads the body whole, up to `maxBytes`, within `timeoutMs` (what is left of
 * the attempt once the headers arrived: undici's bodyTimeout only bounds the
 * gaps between chunks, so a backend dripping a byte at a time never trips it).
 */
export function readLimitedBody(
  data: Dispatcher.ResponseData,
  maxBytes: number,
  timeoutMs = Infinity,
): Promise<Buffer> {
  const body = data.body;
  if (Number(data.headers['content-length']) > maxBytes) {
    body.on('error', () => undefined); // undici reports the destroy as an abort: expected here
    body.destroy();
    return Promise.reject(new ResponseTooLargeError(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const timer =
      timeoutMs === Infinity
        ? undefined
        : setTimeout(
            () => {
              fail(new AttemptTimeoutError());
              body.destroy();
            },
            Math.max(0, timeoutMs),
          );
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    body.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total <= maxBytes) return void chunks.push(chunk);
      fail(new ResponseTooLargeError(maxBytes));
      body.destroy();
    });
    body.on('error', fail);
    body.on('end', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total));
    });
    // A close before 'end' without an error still means the body is incomplete.
    // (The Error is built only then: capturing a stack on every normal close was ~2% of a REST call.)
    body.on('close', () => {
      if (!settled) fail(Object.assign(new Error('the body ended early'), { code: 'UND_ERR_SOCKET' }));
    });
  });
}

/**
 * An upstream answer, read whole within the attempt, behind the part of the
 * Fetch `Response` API the handlers use (status, ok, headers,
 * text/json/arrayBuffer, clone for shadowing, body.cancel for retries).
 * undici's `request` skips WHATWG streams and per-call AbortSignals, which
 * were a large share of every upstream call's CPU.
 */
export class RequestResponse {
  readonly status: number;
  readonly statusText = '';
  private headerObject?: Headers;

  constructor(
    status: number,
    private readonly rawHeaders: RawHeaders,
    private readonly bytes: Buffer,
  ) {
    this.status = status;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get headers(): Headers {
    return (this.headerObject ??= new LazyHeaders(this.rawHeaders));
  }

  /** The body was read with the attempt: nothing left to cancel. */
  get body() {
    return { cancel: async () => undefined };
  }

  async text(): Promise<string> {
    return this.bytes.toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.bytes;
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()], { type: this.headers.get('content-type') ?? '' });
  }

  /** Both copies read the same buffered body. */
  clone(): RequestResponse {
    const copy = new RequestResponse(this.status, this.rawHeaders, this.bytes);
    copy.headerObject = this.headerObject;
    return copy;
  }
}
