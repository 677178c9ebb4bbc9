// Command-line flags of the benchmarks: string flags with defaults, read as
// positive integers or as comma lists of known names.

/** parseArgs options for string flags, from their defaults. */
export function stringOptions<K extends string>(defaults: Record<K, string>): Record<K, { type: 'string'; default: string }> {
  const out = {} as Record<K, { type: 'string'; default: string }>;
  for (const k of Object.keys(defaults) as K[]) out[k] = { type: 'string', default: defaults[k] };
  return out;
}

/** A flag's value as an integer ≥ `min` (1 unless told), or an error naming the flag. */
export function intFlag(value: string, flag: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

/** A comma list of names, each one of `known`. */
export function namesFlag<T extends string>(value: string, flag: string, known: readonly T[]): T[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!known.includes(n as T)) throw new Error(`--${flag}: unknown '${n}' (${known.join(', ')})`);
  return names as T[];
}
