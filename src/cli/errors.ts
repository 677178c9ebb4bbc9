// Errors a user caused (bad flag, missing file, wrong input size) are printed
// as one sentence; anything else is a bug and says so.

export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UserError';
  }
}

export function describeError(e: unknown, verbose: boolean): string {
  if (!(e instanceof Error)) return String(e);
  if (verbose && e.stack) return e.stack;
  // Library errors are written as user-facing sentences too; keep the first line.
  return e.message.split('\n')[0];
}
