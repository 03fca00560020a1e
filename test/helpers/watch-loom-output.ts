import type { ChildProcess } from 'node:child_process';

/** A spawned loom's output; `waitFor` resolves once `marker` shows up on that stream, and fails if loom exits first. */
export function watch(child: ChildProcess) {
  const text = { stdout: '', stderr: '' };
  const waiters: Array<{ stream: 'stdout' | 'stderr'; marker: RegExp; resolve: (match: RegExpExecArray) => void }> = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = waiter.marker.exec(text[waiter.stream]);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout?.on('data', (chunk: Buffer) => ((text.stdout += chunk.toString()), check()));
  child.stderr?.on('data', (chunk: Buffer) => ((text.stderr += chunk.toString()), check()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    text,
    exited,
    waitFor: (stream: 'stdout' | 'stderr', marker: RegExp) =>
      Promise.race([
        new Promise<RegExpExecArray>((resolve) => (waiters.push({ stream, marker, resolve }), check())),
        exited.then((code) =>
          Promise.reject(new Error(`loom exited with ${code} before ${marker}:\n${text.stdout}\n${text.stderr}`)),
        ),
      ]),
  };
}
