/** Captures pino output in memory for log assertions. */
export interface LogCapture {
  readonly stream: { write(line: string): void };
  readonly text: () => string;
  /** Resolves with the next JSON line whose `msg` is `msg` (already written or yet to come). */
  next(msg: string): Promise<Record<string, any>>;
}

/** A pino destination that keeps every line and hands them out in order. */
export function captureLogs(): LogCapture {
  const lines: string[] = [];
  let consumed = 0;
  const waiters: Array<{ msg: string; resolve: (line: Record<string, any>) => void }> = [];
  const take = (msg: string) => {
    for (; consumed < lines.length; consumed++) {
      const parsed = JSON.parse(lines[consumed]);
      if (parsed.msg === msg) {
        consumed++;
        return parsed;
      }
    }
    return undefined;
  };
  return {
    stream: {
      write(line: string) {
        lines.push(line);
        const waiter = waiters[0];
        if (!waiter) return;
        const parsed = take(waiter.msg);
        if (parsed) {
          waiters.shift();
          waiter.resolve(parsed);
        }
      },
    },
    text: () => lines.join(''),
    next: (msg) => {
      const parsed = take(msg);
      return parsed ? Promise.resolve(parsed) : new Promise((resolve) => waiters.push({ msg, resolve }));
    },
  };
}
