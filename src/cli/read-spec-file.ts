import { readCappedStream } from '../core/read-capped-stream';
import { open } from 'node:fs/promises';
import { ConfigError } from '../core/errors';
import { isUrl } from '../handlers/spec-location';

export interface SpecReadLimits {
  /** Longest a URL may take to answer in full, in ms. */
  readonly timeoutMs: number;
  /** Largest file accepted, in bytes. */
  readonly maxBytes: number;
}

/** Reads one spec file whole, from disk or http(s), within `limits`; faults are one ConfigError line. */
export async function readSpecFile(location: string, limits: SpecReadLimits): Promise<Buffer> {
  return isUrl(location) ? fetchSpecFile(location, limits) : readLocalSpecFile(location, limits);
}

async function readLocalSpecFile(file: string, { maxBytes }: SpecReadLimits): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: ${code === 'ENOENT' ? 'not found' : `cannot read (${code ?? 'error'})`}`);
  }
  try {
    const { size, isFile } = await handle.stat().then((stat) => ({ size: stat.size, isFile: stat.isFile() }));
    if (!isFile) throw new ConfigError(`${file}: not a file`);
    if (size > maxBytes)
      throw new ConfigError(`${file}: ${size} bytes, over the ${maxBytes}-byte limit for a spec file`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function fetchSpecFile(url: string, { timeoutMs, maxBytes }: SpecReadLimits): Promise<Buffer> {
  const signal = AbortSignal.timeout(timeoutMs);
  const fault = (why: string) => new ConfigError(`${url}: ${why}`);
  try {
    const response = await fetch(url, { signal, redirect: 'follow' });
    if (!response.ok) {
      await response.body?.cancel();
      throw fault(`HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw fault(`${declared} bytes, over the ${maxBytes}-byte limit for a spec file`);
    }
    return await readCappedStream(response.body, maxBytes, () =>
      fault(`over the ${maxBytes}-byte limit for a spec file`),
    );
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if (signal.aborted) throw fault(`no complete answer within ${timeoutMs} ms`);
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    throw fault(`cannot fetch: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
}
