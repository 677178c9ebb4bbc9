// Planners for the ops that pick rather than compute: MAXIMUM and MINIMUM
// (elementwise, with broadcasting) and REDUCE_MAX. Their int8 forms pass the
// winning code through unchanged, as TFLite's kernels do whatever the
// tensors' quantization (measured on LiteRT, see the kernels), so no
// quantization is checked here: the converter ties the scales together, and
// a file that does not is run the way LiteRT runs it.

import { maximumMinimum, prepareMaximumMinimum, prepareReduceMax, reduceMax } from '../kernels/index.js';
import {
  type OpContext, type Step, checkOutputShape, constantInts, expectCounts, input, optionsOf, output, prepared,
  broadcastOperands,
} from './context.js';
import { typeError } from './support.js';

export function planMaximumMinimum(ctx: OpContext): Step {
  const o = optionsOf(ctx, 'MAXIMUM', 'MINIMUM');
  const { a, b, y } = broadcastOperands(ctx);
  const p = prepared(ctx, () => prepareMaximumMinimum(a.shape, b.shape, o.op));
  const same = a.dtype === b.dtype && b.dtype === y.dtype;
  if (!(same && (a.dtype === 'int8' || a.dtype === 'float32'))) throw typeError(ctx);
  const da = ctx.data(a) as Int8Array | Float32Array;
  const db = ctx.data(b) as Int8Array | Float32Array;
  const dy = ctx.data(y) as Int8Array | Float32Array;
  return () => maximumMinimum(p, da, db, dy);
}

export function planReduceMax(ctx: OpContext): Step {
  expectCounts(ctx, 2, 2);
  const { keepDims } = optionsOf(ctx, 'REDUCE_MAX');
  const x = input(ctx, 0, 'input');
  const axes = constantInts(ctx, input(ctx, 1, 'axes'), 'axes');
  const y = output(ctx);
  const p = prepared(ctx, () => prepareReduceMax(x.shape, axes, keepDims));
  checkOutputShape(ctx, y, p.outputShape);
  ctx.work(x.size);
  ctx.reserve(4 * x.shape.length, 'the reduction index');
  if (!(x.dtype === y.dtype && (x.dtype === 'int8' || x.dtype === 'float32'))) throw typeError(ctx);
  const dx = ctx.data(x) as Int8Array | Float32Array;
  const dy = ctx.data(y) as Int8Array | Float32Array;
  return () => reduceMax(p, dx, dy);
}
