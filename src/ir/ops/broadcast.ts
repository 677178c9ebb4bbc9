// Elementwise ops of two tensors with NumPy broadcasting (mul, sub,
// maximum, minimum) and multiplication by a constant.
// Per-example shapes must have equal rank: with the batch dimension in
// front, right-aligned broadcasting of a [c] against an [h, w, c] would line
// the batch up with w, so a squeeze-excite gate is reshaped to [1, 1, c]
// first (as Keras' SE blocks do with Reshape((1, 1, C))).
import type { OpSpec } from './spec.js';
import { fmtShape, noParams, problem } from './spec.js';
import type { Shape } from '../types.js';
import { TFLITE_FUSED_ACTIVATION } from '../../../quantize/op-table.js';

type Binary = 'mul' | 'sub' | 'maximum' | 'minimum';

/** The broadcast shape of two equal-rank shapes, or a problem naming both. */
export function broadcastShape(op: string, a: Shape, b: Shape): Shape {
  const bad = (): never => problem(`${op} needs shapes of equal rank whose sizes match or are 1, got ${fmtShape(a)} and ${fmtShape(b)}`);
  if (a.length !== b.length) bad();
  return a.map((d, i) => {
    const e = b[i];
    if (d !== e && d !== 1 && e !== 1) bad();
    return d === 1 ? e : d;
  });
}

function binary<K extends Binary>(op: K): OpSpec<K> {
  return { arity: 2, checkAttrs: () => undefined, inferShape: (_n, [a, b]) => broadcastShape(op, a, b), params: noParams };
}

export const mul = binary('mul');
export const sub = binary('sub');
export const maximum = binary('maximum');
export const minimum = binary('minimum');

const FUSED = Object.keys(TFLITE_FUSED_ACTIVATION);

function fusedBinary<K extends 'qmul' | 'qsub'>(op: K, plain: Binary): OpSpec<K> {
  return {
    arity: 2,
    checkAttrs: (a) => (FUSED.includes(a.activation) ? undefined : `activation must be one of ${FUSED.join(', ')}`),
    inferShape: (_n, [a, b]) => broadcastShape(plain, a, b),
    params: noParams,
  };
}

export const qmul = fusedBinary('qmul', 'mul');
export const qsub = fusedBinary('qsub', 'sub');

export const mulConstant: OpSpec<'mulConstant'> = {
  arity: 1,
  checkAttrs: (a) => (typeof a.factor === 'number' && Number.isFinite(a.factor) && a.factor !== 0 ? undefined : 'factor must be a finite non-zero number'),
  inferShape: (_n, [x]) => x,
  params: noParams,
};
