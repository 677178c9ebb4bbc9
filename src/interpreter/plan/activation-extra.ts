// Planners for the slope activations: LEAKY_RELU (a scalar slope in its
// options) and PRELU (a slope tensor broadcast against the input).

import {
  leakyReluFloat, leakyReluInt8, prepareLeakyReluInt8, preluFloat, preluInt8, preparePreluFloat, preparePreluInt8,
} from '../kernels/index.js';
import {
  type OpContext, type Step, checkOutputShape, expectCounts, input, invalid, optionsOf, output, perTensorQuant, prepared,
  requireConstant, unaryStep,
  broadcastOperands,
} from './context.js';
import { typeError } from './support.js';

export function planLeakyRelu(ctx: OpContext): Step {
  expectCounts(ctx, 1, 1);
  const { alpha } = optionsOf(ctx, 'LEAKY_RELU');
  const x = input(ctx, 0, 'input');
  const y = output(ctx);
  checkOutputShape(ctx, y, x.shape);
  ctx.work(x.size);
  if (!Number.isFinite(alpha)) throw invalid(ctx, `has slope alpha ${alpha}; it must be a finite number`);
  if (x.dtype === 'int8' && y.dtype === 'int8') {
    const qx = perTensorQuant(ctx, x, 'input');
    const qy = perTensorQuant(ctx, y, 'output');
    return unaryStep(ctx, x, y, leakyReluInt8, prepared(ctx, () => prepareLeakyReluInt8(qx, qy, alpha, ctx.arithmetic)));
  }
  if (x.dtype === 'float32' && y.dtype === 'float32') {
    const dx = ctx.data(x) as Float32Array;
    const dy = ctx.data(y) as Float32Array;
    return () => leakyReluFloat(alpha, dx, dy);
  }
  throw typeError(ctx);
}

export function planPrelu(ctx: OpContext): Step {
  const { a: x, b: a, y } = broadcastOperands(ctx, ['input', 'alpha']);
  if (x.dtype === 'int8' && a.dtype === 'int8' && y.dtype === 'int8') {
    requireConstant(ctx, a, 'alpha');
    const qx = perTensorQuant(ctx, x, 'input');
    const qa = perTensorQuant(ctx, a, 'alpha');
    const qy = perTensorQuant(ctx, y, 'output');
    const p = prepared(ctx, () => preparePreluInt8(x.shape, qx, a.shape, qa, qy));
    checkOutputShape(ctx, y, p.outputShape);
    const dx = ctx.data(x) as Int8Array;
    const da = ctx.data(a) as Int8Array;
    const dy = ctx.data(y) as Int8Array;
    return () => preluInt8(p, dx, da, dy);
  }
  if (x.dtype === 'float32' && a.dtype === 'float32' && y.dtype === 'float32') {
    const p = prepared(ctx, () => preparePreluFloat(x.shape, a.shape));
    checkOutputShape(ctx, y, p.outputShape);
    const dx = ctx.data(x) as Float32Array;
    const da = ctx.data(a) as Float32Array;
    const dy = ctx.data(y) as Float32Array;
    return () => preluFloat(p, dx, da, dy);
  }
  throw typeError(ctx);
}
