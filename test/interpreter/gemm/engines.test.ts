// The wasm engine against the plain-JS engine, bit for bit: CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED and MAX_POOL_2D on random geometries (strides,
// dilations, SAME/VALID, depth multipliers, odd channel counts, batches)
// in both arithmetics, then whole models with every tensor compared.

import { expect } from 'chai';
import {
  type Arithmetic, type FusedActivation, type Padding, conv2dInt8, depthwiseConv2dInt8, fullyConnectedInt8,
  prepareConv2dInt8, prepareDepthwiseConv2dInt8, prepareFullyConnectedInt8, type QuantParamsT,
  maxPool2dFloat, maxPool2dInt8, type PoolOptions, prepareMaxPool2dFloat, prepareMaxPool2dInt8,
} from '../../../src/interpreter/kernels/index.js';
import { Interpreter } from '../../../src/interpreter/index.js';
import { setKernelEngine, WasmArena } from '../../../src/interpreter/wasm/arena.js';
import { mulberry32, parityZoo, randomInput } from '../../support/random-models.js';

const q = (scale: number[], zp = 0, dim = 0): QuantParamsT => ({ scale, zeroPoint: scale.map(() => zp), quantizedDimension: dim });

function int8s(n: number, rnd: () => number, lo = -128): Int8Array {
  return Int8Array.from({ length: n }, () => lo + Math.floor(rnd() * (128 - lo)));
}

function countDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

/** Prepares a kernel for each engine, runs both on `x`: every output byte must agree. */
function expectEnginesAgree<P extends { wasm: unknown; outputShape: number[] }>(
  prepare: (arena: WasmArena | null) => P, run: (p: P, x: Int8Array, y: Int8Array) => void, x: Int8Array, what: string,
): void {
  const js = prepare(null);
  const wa = prepare(new WasmArena());
  expect(wa.wasm).to.not.equal(null);
  const size = js.outputShape.reduce((a, b) => a * b, 1);
  const [yj, yw] = [new Int8Array(size), new Int8Array(size).fill(99)];
  run(js, x, yj);
  run(wa, x, yw);
  expect(countDiff(yj, yw), what).to.equal(0);
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const ARITHMETICS: Arithmetic[] = ['xnnpack', 'reference', 'single-rounding'];
const MODEL_ARITHMETICS = ['xnnpack', 'reference'] as const;
const ACTS: FusedActivation[] = ['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1'];

describe('wasm engine vs JS engine (kernels)', () => {
  it('CONV_2D agrees on random geometries', () => {
    const rnd = mulberry32(11);
    for (let t = 0; t < 80; t++) {
      const batches = 1 + Math.floor(rnd() * 2);
      const [h, w] = [1 + Math.floor(rnd() * 11), 1 + Math.floor(rnd() * 11)];
      const inC = 1 + Math.floor(rnd() * 13);
      const outC = 1 + Math.floor(rnd() * 11);
      const fh = 1 + Math.floor(rnd() * 3);
      const fw = 1 + Math.floor(rnd() * 3);
      const padding: Padding = pick(rnd, ['SAME', 'VALID'] as const);
      const stride = 1 + Math.floor(rnd() * 2);
      const dil = rnd() < 0.2 ? 2 : 1;
      if (padding === 'VALID' && ((fh - 1) * dil + 1 > h || (fw - 1) * dil + 1 > w)) continue;
      const arithmetic = pick(rnd, ARITHMETICS);
      const opts = { padding, strideH: stride, strideW: rnd() < 0.3 ? 3 - stride : stride, dilationH: dil, dilationW: rnd() < 0.5 ? dil : 1, activation: pick(rnd, ACTS) };
      const perChannel = rnd() < 0.7;
      const input = { shape: [batches, h, w, inC], ...q([0.02 + rnd() * 0.05], Math.floor(rnd() * 256) - 128) };
      const filter = {
        shape: [outC, fh, fw, inC], data: int8s(outC * fh * fw * inC, rnd, rnd() < 0.5 ? -128 : -127),
        ...q(perChannel ? Array.from({ length: outC }, () => 0.002 + rnd() * 0.02) : [0.01]),
      };
      const bias = rnd() < 0.8 ? Int32Array.from({ length: outC }, () => Math.floor((rnd() - 0.5) * 4000)) : null;
      const output = q([0.05 + rnd() * 0.2], Math.floor(rnd() * 256) - 128);
      const x = int8s(batches * h * w * inC, rnd);
      expectEnginesAgree((arena) => prepareConv2dInt8(input, filter, bias, output, opts, arithmetic, arena), conv2dInt8, x,
        `case ${t}: ${JSON.stringify({ batches, h, w, inC, outC, fh, fw, opts, arithmetic })}`);
    }
  });

  it('DEPTHWISE_CONV_2D agrees on random geometries (depth multipliers, odd channels)', () => {
    const rnd = mulberry32(12);
    for (let t = 0; t < 80; t++) {
      const batches = 1 + Math.floor(rnd() * 2);
      const [h, w] = [1 + Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 12)];
      const inC = 1 + Math.floor(rnd() * 20);
      const dm = rnd() < 0.3 ? 2 + Math.floor(rnd() * 2) : 1;
      const outC = inC * dm;
      // 3×3 has its own unrolled kernel: draw it often.
      const square3 = rnd() < 0.4;
      const fh = square3 ? 3 : 1 + Math.floor(rnd() * 3);
      const fw = square3 ? 3 : 1 + Math.floor(rnd() * 3);
      const padding: Padding = pick(rnd, ['SAME', 'VALID'] as const);
      const dil = rnd() < 0.2 ? 2 : 1;
      if (padding === 'VALID' && ((fh - 1) * dil + 1 > h || (fw - 1) * dil + 1 > w)) continue;
      const arithmetic = pick(rnd, ARITHMETICS);
      const stride = 1 + Math.floor(rnd() * 2);
      const opts = { padding, strideH: stride, strideW: stride, dilationH: dil, dilationW: dil, activation: pick(rnd, ACTS), depthMultiplier: dm };
      const input = { shape: [batches, h, w, inC], ...q([0.02 + rnd() * 0.05], Math.floor(rnd() * 256) - 128) };
      const filter = {
        shape: [1, fh, fw, outC], data: int8s(fh * fw * outC, rnd),
        ...q(Array.from({ length: outC }, () => 0.002 + rnd() * 0.02), 0, 3),
      };
      const bias = Int32Array.from({ length: outC }, () => Math.floor((rnd() - 0.5) * 4000));
      const output = q([0.02 + rnd() * 0.2], Math.floor(rnd() * 256) - 128);
      const x = int8s(batches * h * w * inC, rnd);
      expectEnginesAgree((arena) => prepareDepthwiseConv2dInt8(input, filter, bias, output, opts, arithmetic, arena), depthwiseConv2dInt8, x,
        `case ${t}: ${JSON.stringify({ batches, h, w, inC, dm, fh, fw, opts, arithmetic })}`);
    }
  });

  it('FULLY_CONNECTED agrees on random shapes, per-tensor and per-channel', () => {
    const rnd = mulberry32(13);
    for (let t = 0; t < 60; t++) {
      const batches = 1 + Math.floor(rnd() * 5);
      const depth = 1 + Math.floor(rnd() * 100);
      const units = 1 + Math.floor(rnd() * 21);
      const arithmetic = pick(rnd, ARITHMETICS);
      const perChannel = rnd() < 0.5;
      const input = { shape: [batches, depth], ...q([0.02 + rnd() * 0.05], Math.floor(rnd() * 256) - 128) };
      const filter = {
        shape: [units, depth], data: int8s(units * depth, rnd),
        ...q(perChannel ? Array.from({ length: units }, () => 0.002 + rnd() * 0.02) : [0.01]),
      };
      const bias = Int32Array.from({ length: units }, () => Math.floor((rnd() - 0.5) * 4000));
      const output = q([0.05 + rnd() * 0.5], Math.floor(rnd() * 256) - 128);
      const opts = { activation: pick(rnd, ACTS) };
      const x = int8s(batches * depth, rnd);
      expectEnginesAgree((arena) => prepareFullyConnectedInt8(input, filter, bias, output, opts, arithmetic, arena), fullyConnectedInt8, x,
        `case ${t}: ${JSON.stringify({ batches, depth, units, arithmetic, perChannel })}`);
    }
  });

  it('several ops sharing one arena keep their own weights and reuse scratch correctly', () => {
    // Prepare two convs on one arena (the second grows memory and moves scratch), then run both.
    const rnd = mulberry32(14);
    const arena = new WasmArena();
    const mk = (inC: number, outC: number, hw: number): { run: (x: Int8Array) => Int8Array; js: (x: Int8Array) => Int8Array; size: number } => {
      const input = { shape: [1, hw, hw, inC], ...q([0.03], 3) };
      const filter = { shape: [outC, 3, 3, inC], data: int8s(outC * 9 * inC, rnd), ...q([0.01]) };
      const opts = { padding: 'SAME' as const, strideH: 1, strideW: 1, activation: 'RELU' as const };
      const pj = prepareConv2dInt8(input, filter, null, q([0.1], -5), opts, 'xnnpack');
      const pw = prepareConv2dInt8(input, filter, null, q([0.1], -5), opts, 'xnnpack', arena);
      const size = hw * hw * outC;
      return {
        size,
        run: (x) => { const y = new Int8Array(size); conv2dInt8(pw, x, y); return y; },
        js: (x) => { const y = new Int8Array(size); conv2dInt8(pj, x, y); return y; },
      };
    };
    const a = mk(3, 8, 6);
    const b = mk(16, 40, 20);
    for (let r = 0; r < 3; r++) {
      const xa = int8s(6 * 6 * 3, rnd);
      const xb = int8s(20 * 20 * 16, rnd);
      expect(countDiff(a.run(xa), a.js(xa))).to.equal(0);
      expect(countDiff(b.run(xb), b.js(xb))).to.equal(0);
    }
  });

  it('MAX_POOL_2D agrees on random geometries, int8 and float32 (NaN, signed zeros, clamps)', () => {
    const rnd = mulberry32(15);
    for (let t = 0; t < 60; t++) {
      const batches = 1 + Math.floor(rnd() * 2);
      const [h, w] = [1 + Math.floor(rnd() * 9), 1 + Math.floor(rnd() * 9)];
      const c = 1 + Math.floor(rnd() * 40);
      const [fh, fw] = [1 + Math.floor(rnd() * 4), 1 + Math.floor(rnd() * 4)];
      const padding: Padding = pick(rnd, ['SAME', 'VALID'] as const);
      if (padding === 'VALID' && (fh > h || fw > w)) continue;
      const opts: PoolOptions = {
        padding, strideH: 1 + Math.floor(rnd() * 3), strideW: 1 + Math.floor(rnd() * 3), filterH: fh, filterW: fw, activation: pick(rnd, ACTS),
      };
      const shape = [batches, h, w, c];
      const what = `case ${t}: ${JSON.stringify({ shape, ...opts })}`;
      const x = int8s(batches * h * w * c, rnd);
      const qy = q([0.05], Math.floor(rnd() * 20) - 10);
      expectEnginesAgree((arena) => prepareMaxPool2dInt8(shape, opts, qy, arena), maxPool2dInt8, x, what);
      const special = [NaN, -0, 0, Infinity, -Infinity, 6, 1, -1];
      const xf = Float32Array.from(x, (v) => (rnd() < 0.1 ? special[Math.floor(rnd() * special.length)]! : v / 16));
      const [pj, pw] = [prepareMaxPool2dFloat(shape, opts), prepareMaxPool2dFloat(shape, opts, new WasmArena())];
      expect(pw.wasm).to.not.equal(null);
      const size = pj.outputShape.reduce((a, b) => a * b, 1);
      const [yj, yw] = [new Float32Array(size), new Float32Array(size).fill(99)];
      maxPool2dFloat(pj, xf, yj);
      maxPool2dFloat(pw, xf, yw);
      expect(countDiff(new Uint32Array(yj.buffer), new Uint32Array(yw.buffer)), what).to.equal(0);
    }
  });
});

describe('wasm engine vs JS engine (whole models, every tensor)', () => {
  afterEach(() => setKernelEngine(null));

  for (const net of parityZoo()) {
    for (const arithmetic of MODEL_ARITHMETICS) {
      it(`${net.name} (${arithmetic}): all tensors identical over 5 inputs`, () => {
        const bytes = net.quantized('int8', { allOutputs: true });
        setKernelEngine('js');
        const js = Interpreter.fromBuffer(bytes, { arithmetic });
        setKernelEngine('wasm');
        const wa = Interpreter.fromBuffer(bytes, { arithmetic });
        const rnd = mulberry32(5);
        let compared = 0;
        for (let i = 0; i < 5; i++) {
          const x = randomInput('int8', js.inputDetails()[0]!.bytes, rnd);
          js.setInput(0, x);
          wa.setInput(0, x);
          js.invoke();
          wa.invoke();
          for (const idx of js.tensorIndices()) {
            const a = js.tensor(idx).data as ArrayLike<number>;
            const b = wa.tensor(idx).data as ArrayLike<number>;
            expect(countDiff(a, b), `tensor ${idx} of ${net.name}`).to.equal(0);
            compared += a.length;
          }
        }
        expect(compared).to.be.greaterThan(0);
      });
    }
  }
});
