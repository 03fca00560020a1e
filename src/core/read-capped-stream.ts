/**
 * Reads a body stream whole, counting bytes as they arrive (a peer may send
 * more than it declared, or declare nothing). Past `maxBytes` the stream is
 * cancelled and `tooLarge()` is thrown; no stream reads as empty.
 */
export async function readCappedStream(
  body: ReadableStream<Uint8Array> | null | undefined,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  const reader = body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
