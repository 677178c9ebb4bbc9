// The --workers option: how many replicas train side by side.
import { availableParallelism } from 'node:os';
import { UserError } from '../../src/errors.js';

export type WorkersSpec = number | 'auto';

/** 'auto' = one replica per core; a number must be a positive integer. */
export function resolveWorkers(spec: WorkersSpec | string | undefined): number {
  if (spec === undefined) return 1;
  if (spec === 'auto') return availableParallelism();
  const n = typeof spec === 'number' ? spec : Number(spec);
  if (!Number.isInteger(n) || n < 1 || (typeof spec === 'string' && spec.trim() === '')) {
    throw new UserError(`--workers must be a positive integer or 'auto', got '${spec}'`);
  }
  return n;
}
