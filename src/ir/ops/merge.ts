// Ops joining several tensors: residual add and channel concat.
import type { OpSpec } from './spec.js';
import { fmtShape, noParams, problem } from './spec.js';

export const add: OpSpec<'add'> = {
  arity: { min: 2 },
  checkAttrs: () => undefined,
  inferShape(_n, shapes) {
    const first = shapes[0];
    for (const s of shapes) {
      if (s.length !== first.length || s.some((d, i) => d !== first[i])) {
        problem(`add needs equal input shapes, got ${shapes.map(fmtShape).join(' and ')}`);
      }
    }
    return first;
  },
  params: noParams,
};

export const concat: OpSpec<'concat'> = {
  arity: { min: 1 },
  checkAttrs: (a) => (a.axis === -1 ? undefined : 'only channel concatenation (axis -1) is supported'),
  inferShape(_n, shapes) {
    const first = shapes[0];
    for (const s of shapes) {
      const sameLead = s.length === first.length && s.slice(0, -1).every((d, i) => d === first[i]);
      if (!sameLead) problem(`concat needs inputs that differ only in channels, got ${shapes.map(fmtShape).join(' and ')}`);
    }
    return [...first.slice(0, -1), shapes.reduce((sum, s) => sum + s[s.length - 1], 0)];
  },
  params: noParams,
};
