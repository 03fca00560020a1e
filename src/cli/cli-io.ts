/** Where a CLI command writes: the process's stdout/stderr, or a test's buffers. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}
