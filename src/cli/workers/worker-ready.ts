const READY = 'loom:worker-ready';

/** What a worker tells the primary once it listens: its URL and the banner the primary prints once. */
export interface ReadyMessage {
  type: typeof READY;
  url: string;
  lines: string[];
}

export const isReadyMessage = (message: unknown): message is ReadyMessage =>
  !!message && typeof message === 'object' && (message as { type?: unknown }).type === READY;

export function reportReady(url: string, lines: string[]): void {
  process.send?.({ type: READY, url, lines } satisfies ReadyMessage);
}
