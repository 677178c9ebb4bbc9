// Seeded randomness computed in plain JS so initial weights and shuffles do
// not depend on the tfjs backend.

/** 32-bit FNV-1a of a string: derives per-variable seeds from names. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32, the project's one seeded generator (shared with shuffling); returns [0, 1). */
export { seededRandom as mulberry32 } from '../datasets/random.js';

/** Standard normal by Box–Muller. */
export function normal(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Mixes two seeds into one (for per-epoch / per-step streams). */
export function mixSeed(a: number, b: number): number {
  return hashString(`${a >>> 0}:${b >>> 0}`);
}
