// How instance / layer normalization compute in tfjs: the float ops as one
// fused op (layers/normalization.ts), and the QAT twin as the int8
// decomposition of quantize/norm-decomposition.ts — each intermediate
// fake-quantized by the fakeQuant kernel on the twin's own range variables
// (observed, learned, calibrated and frozen like any activation's), γ and β
// fake-quantized as the int8 constants. The integer eval graph runs the
// exporter's int8 emission of the same steps through the interpreter.
import * as tf from '@tensorflow/tfjs';
import { normalize } from '../../layers/normalization.js';
import {
  intermediateQuantizer, normAxes, normBroadcastShape, normSteps, type NormOperand, type NormStepOp,
} from '../../quantize/norm-decomposition.js';
import { symmetricRange } from '../../quantize/math.js';
import type { NodeOf } from '../../src/ir/types.js';
import { Emitter } from '../../export/emitter.js';
import { emitNormInt8 } from '../../export/lower-norm.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import { writeModel } from '../../src/tflite/index.js';
import type { IRNode } from '../../src/ir/types.js';
import type { KernelContext } from './context.js';
import { DEFAULT_QAT_RUNTIME, fakeQuantOn } from './context.js';
import { QAT_TFJS_OPS } from './qat-ops.js';
import { gridCodes, gridValues, type ActivationGrid } from './grid.js';

type FloatNormNode = NodeOf<'instanceNorm'> | NodeOf<'layerNorm'>;

function broadcastParam(node: FloatNormNode | NodeOf<'qnorm'>, which: 'gamma' | 'beta', present: boolean, shape: number[], ctx: KernelContext): tf.Tensor {
  if (!present) return which === 'gamma' ? tf.ones(shape.map(() => 1)) : tf.zeros(shape.map(() => 1));
  return tf.reshape(ctx.param(node, which), shape);
}

/** The float norm: one op with its closed-form gradient. */
export function floatNorm(node: FloatNormNode, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor {
  const per = x!.shape.slice(1);
  const { axes, paramAxes } = normAxes(node, per.length);
  const shape = normBroadcastShape(per, paramAxes);
  const gamma = broadcastParam(node, 'gamma', node.attrs.scale, shape, ctx);
  const beta = broadcastParam(node, 'beta', node.attrs.center, shape, ctx);
  return normalize(x!, gamma, beta, axes.map((a) => a + 1), node.attrs.epsilon);
}

/**
 * γ or β on its int8 grid, round(v/s)·s with s from max|v| (the symmetric
 * range the exporter stores it with); gradient straight through, as for
 * conv weights (every value lies inside its own range).
 */
function fakeQuantConstant(v: tf.Tensor, bits: number): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const w = args[0] as tf.Tensor;
    const m = tf.max(tf.abs(w));
    const s = symmetricRange(m.dataSync()[0]!, bits).scale;
    m.dispose();
    return { value: tf.mul(tf.round(tf.div(w, s)), s), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [dy as tf.Tensor] };
  });
  return op(v);
}

function step(op: NormStepOp, ins: tf.Tensor[], axes: number[], epsilon: number): tf.Tensor {
  const [a, b] = ins as [tf.Tensor, tf.Tensor];
  switch (op) {
    case 'MEAN': return tf.mean(a, axes, true);
    case 'SUB': return tf.sub(a, b);
    // tfjs's SquaredDifference gradient does not reduce a broadcast operand; square(a − b) is the same value.
    case 'SQUARED_DIFFERENCE': return tf.square(tf.sub(a, b));
    // max(v, ε): the int8 RSQRT without an ε, kept finite (see the decomposition's header).
    case 'RSQRT': return tf.rsqrt(tf.maximum(a, epsilon));
    case 'MUL': return tf.mul(a, b);
    case 'ADD': return tf.add(a, b);
  }
}

/** The QAT twin, simulated: the decomposition's steps with a fakeQuant after each intermediate. */
export function simulatedNorm(node: NodeOf<'qnorm'>, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor {
  const per = x!.shape.slice(1);
  const shape = normBroadcastShape(per, node.attrs.paramAxes);
  const axes = node.attrs.axes.map((a) => a + 1);
  const q = ctx.qat ?? DEFAULT_QAT_RUNTIME;
  // Constants quantize when weights do (after the quant delay, never while calibrating).
  const quantizing = !ctx.training || fakeQuantOn(q);
  const values = new Map<NormOperand, tf.Tensor>([['x', x!]]);
  for (const which of ['gamma', 'beta'] as const) {
    const present = which === 'gamma' ? node.attrs.scale : node.attrs.center;
    if (!present) continue;
    const v = broadcastParam(node, which, true, shape, ctx);
    values.set(which, quantizing ? fakeQuantConstant(v, node.attrs.bits) : v);
  }
  const steps = normSteps(node.attrs);
  let y: tf.Tensor = x!;
  steps.forEach((s, k) => {
    y = step(s.op, s.inputs.map((i) => values.get(i)!), axes, node.attrs.epsilon);
    if (k < steps.length - 1) y = QAT_TFJS_OPS.fakeQuant(intermediateQuantizer(node, s.role), [y], ctx);
    values.set(s.role, y);
  });
  return y;
}

/** Each norm's planned int8 model, kept while its shape, grids and constants stay the same. */
const LOWERED = new WeakMap<IRNode, { key: string; interpreter: Interpreter }>();

/**
 * The integer eval graph's norm: the exporter's int8 emission of this node
 * alone, run by the interpreter on the input's codes. Null (simulated
 * kernel) unless input and output sit on 8-bit grids.
 */
export function integerNorm(node: IRNode, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
  const info = ctx.integer;
  if (!info || node.op !== 'qnorm' || node.attrs.bits !== 8) return null;
  const inFq = info.inputQuantizer(node, 0);
  const outFq = info.outputQuantizer(node);
  const gIn = inFq ? info.grid(inFq) : null;
  const gOut = outFq ? info.grid(outFq) : null;
  if (!gIn || !gOut) return null;
  const shape = info.outputShape(node, x!.shape[0]!);
  const store = { get: (name: string) => ctx.variable(name) };
  const it = loweredNorm(node, shape, gIn, gOut, store);
  it.setInput(0, Int8Array.from(tf.tidy(() => gridCodes(x!, gIn)).dataSync()));
  it.invoke();
  return gridValues(tf.tensor(Float32Array.from(it.output(0) as Int8Array), shape), gOut);
}

function loweredNorm(node: NodeOf<'qnorm'>, shape: number[], gIn: ActivationGrid, gOut: ActivationGrid, store: { get(name: string): tf.Tensor }): Interpreter {
  const e = new Emitter();
  const xRef = e.activation('input0', shape, 'INT8', gIn);
  const y = e.activation(node.name, shape, 'INT8', gOut);
  emitNormInt8(e, node, store, xRef, y);
  e.builder.setInputs([xRef.index]);
  e.builder.setOutputs([y.index]);
  const model = e.builder.build();
  // The serialized model (shapes, quantization, constants) is the whole key.
  const key = Buffer.from(writeModel(model)).toString('base64');
  const cached = LOWERED.get(node);
  if (cached?.key === key) return cached.interpreter;
  const interpreter = new Interpreter(model);
  LOWERED.set(node, { key, interpreter });
  return interpreter;
}
