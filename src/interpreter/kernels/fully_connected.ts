// FULLY_CONNECTED. int8 matches reference_integer_ops::FullyConnected /
// FullyConnectedPerChannel: acc = Σ w·(x − zp_in) + bias, requantized.
// Multipliers as fully_connected.cc Prepare computes them: per-tensor goes
// through GetQuantizedConvolutionMultipler, whose input·filter product is a
// float32 product widened to double; per-channel goes through
// PopulateConvolutionQuantizationParams (double product).
// Hybrid (float input, int8 weights) follows fully_connected.cc EvalHybrid:
// each batch row is quantized on its own (symmetric, or asymmetric when
// asymmetric_quantize_inputs), int32 dot products, then float rescaling.

import { foldBias, gemmRequantize, type TensorSpec, type WeightSpec } from './conv2d.js';
import type { WasmArena } from '../wasm/arena.js';
import { prepareWasmFullyConnected, runWasmGemmOp, type WasmGemmOp } from '../wasm/conv.js';
import { Lanes4, fullyConnectedFloatLanes4, gemmUsesLanes4 } from './xnn_f32_order.js';
import { prepareWasmFullyConnectedFloat, runWasmFloatGemm, type WasmFloatGemmOp } from '../wasm/float-ops.js';
import { gemmRequant, requantizedOutput, weightedOpMultipliers, type RequantizedOutput } from './requant.js';
import type { Arithmetic } from './xnnpack.js';
import {
  type FusedActivation, type QuantParamsT, floatActivationRange,
  roundHalfAwayF32, shapeSize, tensorScale, tensorZeroPoint,
} from './types.js';

const f32 = Math.fround;

export interface FullyConnectedOptions {
  activation: FusedActivation;
  /** TFLite's keep_num_dims: output keeps the input's leading dims instead of [batches, units]. */
  keepNumDims?: boolean;
}

export interface FullyConnectedInt8Params extends RequantizedOutput {
  batches: number;
  inputSize: number;
  units: number;
  weights: Int8Array;
  foldedBias: Int32Array;
  outputShape: number[];
  /** The wasm SIMD plan; null runs the plain-JS GEMM. */
  wasm: WasmGemmOp | null;
}

function fcShapes(inputShape: readonly number[], filterShape: readonly number[], keepNumDims: boolean | undefined): {
  batches: number; inputSize: number; units: number; outputShape: number[];
} {
  if (filterShape.length !== 2) throw new Error(`FULLY_CONNECTED weights must be 2-D [units,input]; got [${filterShape.join(',')}]`);
  const [units, inputSize] = filterShape;
  const total = shapeSize(inputShape);
  if (inputSize < 1 || total % inputSize !== 0) {
    throw new Error(`FULLY_CONNECTED input of ${total} values is not a whole number of ${inputSize}-value rows`);
  }
  const batches = total / inputSize;
  const outputShape = keepNumDims ? [...inputShape.slice(0, -1), units] : [batches, units];
  return { batches, inputSize, units, outputShape };
}

export function prepareFullyConnectedInt8(
  input: TensorSpec, filter: WeightSpec, bias: Int32Array | null, output: QuantParamsT, o: FullyConnectedOptions,
  arithmetic: Arithmetic = 'reference', wasm: WasmArena | null = null,
): FullyConnectedInt8Params {
  const { batches, inputSize, units, outputShape } = fcShapes(input.shape, filter.shape, o.keepNumDims);
  if (bias && bias.length !== units) throw new Error(`FULLY_CONNECTED bias has ${bias.length} values for ${units} units`);
  for (let i = 0; i < filter.zeroPoint.length; i++) {
    if (filter.zeroPoint[i] !== 0) throw new Error('FULLY_CONNECTED int8 weights must be symmetric (zero point 0)');
  }
  const sIn = f32(tensorScale(input));
  const sOut = f32(tensorScale(output));
  const mult = weightedOpMultipliers('FULLY_CONNECTED', sIn, filter.scale, sOut, units);
  const rq = requantizedOutput(mult, sIn, filter.scale, sOut, tensorZeroPoint(output), o.activation, arithmetic);
  const foldedBias = foldBias(filter.data, bias, units, inputSize, tensorZeroPoint(input));
  const plan = wasm ? prepareWasmFullyConnected(wasm, batches, inputSize, units, filter.data, foldedBias, gemmRequant(rq)) : null;
  return { ...rq, batches, inputSize, units, weights: filter.data, foldedBias, outputShape, wasm: plan };
}

export function fullyConnectedInt8(p: FullyConnectedInt8Params, input: Int8Array, output: Int8Array): void {
  if (p.wasm) {
    runWasmGemmOp(p.wasm, input, output);
    return;
  }
  gemmRequantize(input, 0, p.batches, p.inputSize, p.weights, p.units, p.foldedBias, p.multiplier, p.shift,
    p.outputZeroPoint, p.actMin, p.actMax, output, 0, p.scale, p.multiply);
}

// ---------------------------------------------------------------------------
// float32
// ---------------------------------------------------------------------------

export interface FullyConnectedFloatParams {
  batches: number;
  inputSize: number;
  units: number;
  weights: Float32Array;
  bias: Float32Array | null;
  actMin: number;
  actMax: number;
  outputShape: number[];
  /** The wasm SIMD form of this op, when the interpreter has a wasm arena. */
  wasm?: WasmFloatGemmOp | null;
  /** LiteRT's narrow-output summation order (xnn_f32_order.ts), or null for one running sum. */
  lanes4?: Lanes4 | null;
}

export function prepareFullyConnectedFloat(
  inputShape: readonly number[], filterShape: readonly number[], weights: Float32Array, bias: Float32Array | null, o: FullyConnectedOptions,
  wasm: WasmArena | null = null,
): FullyConnectedFloatParams {
  const s = fcShapes(inputShape, filterShape, o.keepNumDims);
  const act = floatActivationRange(o.activation);
  const narrow = gemmUsesLanes4(s.units);
  return {
    ...s, weights, bias, actMin: act.min, actMax: act.max,
    wasm: wasm && !narrow ? prepareWasmFullyConnectedFloat(wasm, s.batches, s.inputSize, s.units, weights, bias, act.min, act.max) : null,
    lanes4: narrow ? new Lanes4() : null,
  };
}

export function fullyConnectedFloat(p: FullyConnectedFloatParams, input: Float32Array, output: Float32Array): void {
  if (p.wasm) return runWasmFloatGemm(p.wasm, input, output);
  const { batches, inputSize, units, weights, bias, actMin, actMax } = p;
  if (p.lanes4) return fullyConnectedFloatLanes4(batches, inputSize, units, weights, bias, actMin, actMax, input, output, p.lanes4);
  for (let b = 0; b < batches; b++) {
    const ib = b * inputSize;
    for (let u = 0; u < units; u++) {
      const wb = u * inputSize;
      // float32 from the bias, in weight order, like the wasm kernel and LiteRT's XNNPACK.
      let acc = bias ? bias[u] : 0;
      for (let k = 0; k < inputSize; k++) acc = f32(acc + f32(input[ib + k] * weights[wb + k]));
      output[b * units + u] = acc < actMin ? actMin : acc > actMax ? actMax : acc;
    }
  }
}

// ---------------------------------------------------------------------------
// hybrid: float input/output, int8 weights (dynamic-range quantization)
// ---------------------------------------------------------------------------

export interface HybridOptions extends FullyConnectedOptions {
  asymmetricQuantizeInputs?: boolean;
}

export interface FullyConnectedHybridParams extends FullyConnectedFloatParams {
  qweights: Int8Array;
  /** float32 filter scale per unit (per-tensor scales are broadcast). */
  filterScales: Float32Array;
  perChannel: boolean;
  asymmetric: boolean;
  rowSums: Int32Array;
  quantized: Int8Array;
}

export function prepareFullyConnectedHybrid(
  inputShape: readonly number[], filter: WeightSpec, bias: Float32Array | null, o: HybridOptions,
): FullyConnectedHybridParams {
  const s = fcShapes(inputShape, filter.shape, o.keepNumDims);
  const act = floatActivationRange(o.activation);
  const perChannel = filter.scale.length > 1;
  if (perChannel && filter.scale.length !== s.units) throw new Error(`FULLY_CONNECTED has ${filter.scale.length} weight scales for ${s.units} units`);
  const filterScales = new Float32Array(s.units);
  for (let u = 0; u < s.units; u++) filterScales[u] = perChannel ? filter.scale[u] : filter.scale[0];
  const rowSums = new Int32Array(s.units);
  for (let u = 0; u < s.units; u++) {
    let sum = 0;
    for (let k = 0; k < s.inputSize; k++) sum += filter.data[u * s.inputSize + k];
    rowSums[u] = sum;
  }
  return {
    ...s, weights: new Float32Array(0), bias, actMin: act.min, actMax: act.max,
    qweights: filter.data, filterScales, perChannel, asymmetric: !!o.asymmetricQuantizeInputs,
    rowSums, quantized: new Int8Array(s.inputSize),
  };
}

/** Smallest and largest of one input row (±Infinity when it is empty). */
function rowRange(values: Float32Array, offset: number, size: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < size; i++) {
    const v = values[offset + i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** tensor_utils::SymmetricQuantizeFloats: q = clamp(round(x·127/range), ±127); returns the scale range/127. */
export function symmetricQuantizeFloats(values: Float32Array, offset: number, size: number, out: Int8Array): number {
  const [lo, hi] = rowRange(values, offset, size);
  const range = Math.max(Math.abs(lo), Math.abs(hi));
  if (range === 0 || size === 0) {
    out.fill(0, 0, size);
    return 1;
  }
  const inv = f32(127 / range);
  for (let i = 0; i < size; i++) {
    const q = roundHalfAwayF32(f32(values[offset + i] * inv));
    out[i] = q > 127 ? 127 : q < -127 ? -127 : q;
  }
  return f32(range / 127);
}

/**
 * tensor_utils::AsymmetricQuantizeFloats: range widened to include 0, scale and
 * zero point chosen in double (zero point from whichever end has less error).
 */
export function asymmetricQuantizeFloats(values: Float32Array, offset: number, size: number, out: Int8Array): { scale: number; zeroPoint: number } {
  const [lo, hi] = rowRange(values, offset, size);
  const rmin = Math.min(0, lo);
  const rmax = Math.max(0, hi);
  if (rmin === rmax) {
    out.fill(0, 0, size);
    return { scale: 1, zeroPoint: 0 };
  }
  const qmin = -128;
  const qmax = 127;
  const scale = (rmax - rmin) / (qmax - qmin);
  const zpFromMin = qmin - rmin / scale;
  const zpFromMax = qmax - rmax / scale;
  const errMin = Math.abs(qmin) + Math.abs(rmin / scale);
  const errMax = Math.abs(qmax) + Math.abs(rmax / scale);
  const zpD = errMin < errMax ? zpFromMin : zpFromMax;
  const zeroPoint = zpD <= qmin ? qmin : zpD >= qmax ? qmax : roundHalfAwayF32(zpD);
  const scaleF = f32(scale);
  const inv = f32(1 / scaleF);
  for (let i = 0; i < size; i++) {
    const q = roundHalfAwayF32(f32(zeroPoint + f32(values[offset + i] * inv)));
    out[i] = q > qmax ? qmax : q < qmin ? qmin : q;
  }
  return { scale: scaleF, zeroPoint };
}

export function fullyConnectedHybrid(p: FullyConnectedHybridParams, input: Float32Array, output: Float32Array): void {
  const { batches, inputSize, units, qweights, filterScales, bias, quantized, rowSums } = p;
  for (let b = 0; b < batches; b++) {
    let scale: number;
    let zp = 0;
    if (p.asymmetric) {
      const r = asymmetricQuantizeFloats(input, b * inputSize, inputSize, quantized);
      scale = r.scale;
      zp = r.zeroPoint;
    } else {
      scale = symmetricQuantizeFloats(input, b * inputSize, inputSize, quantized);
    }
    // Per-tensor: the batch factor absorbs the filter scale first, as EvalHybrid does.
    const batchScale = p.perChannel ? scale : f32(scale * filterScales[0]);
    for (let u = 0; u < units; u++) {
      const wb = u * inputSize;
      let dot = 0;
      for (let k = 0; k < inputSize; k++) dot += qweights[wb + k] * quantized[k];
      dot = (dot - rowSums[u] * zp) | 0;
      const s = p.perChannel ? f32(batchScale * filterScales[u]) : batchScale;
      let v = f32((bias ? bias[u] : 0) + f32(f32(dot) * s));
      v = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
      output[b * units + u] = v;
    }
  }
}
