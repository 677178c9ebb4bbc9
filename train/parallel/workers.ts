// The --workers option: how many replicas train side by side.
import { UserError } from '../../src/errors.js';

export type WorkersSpec = number | 'auto';

/** 'auto' (also when not given: the CLI's default) is decided by measurement when training starts; a number must be a positive integer. */
export function resolveWorkers(spec: WorkersSpec | string | undefined): WorkersSpec {
  if (spec === undefined || spec === 'auto') return 'auto';
  const n = typeof spec === 'number' ? spec : Number(spec);
  if (!Number.isInteger(n) || n < 1 || (typeof spec === 'string' && spec.trim() === '')) {
    throw new UserError(`--workers must be a positive integer or 'auto', got '${spec}'`);
  }
  return n;
}
