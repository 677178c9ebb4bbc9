import { UserError } from '../errors.js';

export { UserError };

/** A path flag given as an empty string (\`--run ""\`, an unset shell variable) is refused by name. */
export function requireValue(value: string, flag: string): string {
  if (!value.trim()) throw new UserError(`${flag} needs a path; it was given an empty value`);
  return value;
}

/**
 * One line for stderr. A message is cut to its first line (a raw error's
 * detail is for --verbose), except when that line only introduces what
 * follows — yargs says "Invalid values:" and names the flag, the value and
 * the choices on the lines after it — so those lines are joined on.
 */
export function describeError(e: unknown, verbose: boolean): string {
  if (!(e instanceof Error)) return String(e);
  if (verbose && e.stack) return e.stack;
  const lines = e.message.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines.length === 0) return e.message;
  return lines[0]!.endsWith(':') ? lines.slice(0, 4).join(' ') : lines[0]!;
}
