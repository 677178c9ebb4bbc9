import { UserError } from '../errors.js';

export { UserError };

export function describeError(e: unknown, verbose: boolean): string {
  if (!(e instanceof Error)) return String(e);
  if (verbose && e.stack) return e.stack;
  return e.message.split('\n')[0];
}
