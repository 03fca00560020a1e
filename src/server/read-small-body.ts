import type { IncomingMessage } from 'node:http';

/**
 * Reads a request body of at most `maxBytes` and leaves it on `req.body`,
 * where @whatwg-node/server (under Yoga) takes it instead of the stream.
 * A larger body is not kept: what was read goes back onto the stream
 * (`unshift`) and `done` gets undefined, so the regular path (and its 413)
 * sees the request whole.
 */
export function readSmallBody(req: IncomingMessage, maxBytes: number, done: (body: Buffer | undefined) => void): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && !(Number(declared) <= maxBytes)) return done(undefined);
  const chunks: Buffer[] = [];
  let size = 0;
  const finish = (body: Buffer | undefined) => {
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    req.removeListener('error', onError);
    done(body);
  };
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size <= maxBytes) return;
    req.pause();
    req.unshift(Buffer.concat(chunks));
    finish(undefined);
  };
  const onEnd = () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    if (body.length > 0) (req as IncomingMessage & { body?: Buffer }).body = body;
    finish(body);
  };
  const onError = () => finish(undefined);
  req.on('data', onData);
  req.once('end', onEnd);
  req.once('error', onError);
}
