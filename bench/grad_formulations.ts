// Candidate formulations of the conv / depthwise gradients on wasm, timed
// side by side on MobileNet-sized shapes (the evidence behind the choices in
// layers/conv_grads.ts). Each candidate is checked against the first one of
// its group before it is timed.
//
//   node .build/<you>/bench/grad_formulations.js [--only dwFilter,dwInput,pointwise,convFilter,strided] [--repeats N]
//
// Findings (2-core machine, wasm, heavily shared while measured — compare
// within a row only):
// - Depthwise filter gradient: no candidate beat the depthwise conv over
//   (batch·channel) channels at MobileNet shapes (per-tap mul+reduce in
//   NHWC or channels-first layouts, reduced by Sum, a ones-row matMul,
//   batched dot matMuls or a global average pool; flat-shifted taps; a
//   regular conv over channel groups keeping the diagonal). wasm's Slice is
//   a JS loop, StridedSlice and 6-D transposes cost 10–60× an elementwise
//   op, a matMul repacks its fresh right operand every call, and
//   BatchMatMul with batch > 1 is a scalar loop, so every per-tap form pays
//   ~27 memory passes against the conv's few.
// - 1×1 conv: filter gradient as matMul(transpose(x), dy) is 1.5–5× faster
//   than the conv formulation; forward and input gradient are a wash.
// - Stride-2 input gradient: one conv per stride phase beats the conv over
//   a zero-spread dy for full convs (1.3–5×; 1×1 stride 2 most), but is
//   2–4× slower for depthwise, whose conv is cheaper than the interleaving.
//   wasm's Conv2DBackpropInput (conv2dTranspose) is slower than both except
//   for a single input channel.
// - The project's own SIMD kernels (layers/wasm/, candidates named 'simd')
//   beat every tfjs formulation of the depthwise gradients and of the 1×1
//   filter gradient; they are what the default formulation uses on wasm.
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backend.js';
import { convGeometry, ConvGeometry, usedExtent } from '../layers/conv_geometry.js';
import * as grads from '../layers/conv_grads.js';
import { simdDepthwiseFilterGrad, simdDepthwiseInputGrad } from '../layers/wasm/depthwise.js';
import { simdConvFilterGrad } from '../layers/wasm/conv_filter.js';

type Fn = () => tf.Tensor;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeIt(fn: Fn, repeats: number): number {
  tf.tidy(() => { fn().dataSync(); }); // warm-up: operator creation, weight packing caches
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    tf.tidy(() => { fn().dataSync(); });
    times.push(performance.now() - t0);
  }
  return median(times);
}

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => {
    if (a.size !== b.size) return Infinity;
    const d = tf.max(tf.abs(tf.sub(tf.reshape(a, [-1]), tf.reshape(b, [-1])))).dataSync()[0];
    const s = tf.max(tf.abs(b)).dataSync()[0];
    return s === 0 ? d : d / s;
  });
}

/** Checks every candidate against the first, then times them interleaved (one call of each per round) so load bursts hit all alike. */
function compareAndTime(title: string, candidates: Array<[string, Fn]>, repeats: number): void {
  const reference = candidates[0][1]();
  const errors = candidates.map(([, fn]) => {
    const got = fn();
    const err = maxRelDiff(got, reference);
    tf.dispose(got);
    return err;
  });
  tf.dispose(reference);
  for (const [, fn] of candidates) tf.tidy(() => { fn().dataSync(); }); // warm-up: operator creation, weight packing caches
  const times: number[][] = candidates.map(() => []);
  for (let r = 0; r < repeats; r++) {
    candidates.forEach(([, fn], i) => {
      const t0 = performance.now();
      tf.tidy(() => { fn().dataSync(); });
      times[i]!.push(performance.now() - t0);
    });
  }
  const cells = candidates.map(([name], i) =>
    `${name} ${median(times[i]!).toFixed(1)} ms${errors[i]! > 1e-4 ? ` (WRONG: ${errors[i]!.toExponential(1)})` : ''}`);
  console.log(`${title.padEnd(34)} ${cells.join(' | ')}`);
}

// ---- depthwise filter gradient candidates (all return [kh, kw, c, m]) ----

/** x → [c, used h, used w, b]: channels outermost, batch innermost, padded/cropped to the extent the forward read. */
function channelsFirstPadded(x: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const xt = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D;
  return padOrCrop(xt, g, 1);
}

function padOrCrop(t: tf.Tensor4D, g: ConvGeometry, hAxis: number): tf.Tensor4D {
  const axes = [g.height, g.width];
  const pads: Array<[number, number]> = [[0, 0], [0, 0], [0, 0], [0, 0]];
  const keep = [...t.shape];
  axes.forEach((a, k) => {
    const after = usedExtent(a) - a.size - a.padBefore;
    pads[hAxis + k] = [a.padBefore, Math.max(after, 0)];
    keep[hAxis + k] = a.size + Math.min(after, 0);
  });
  const cropped = keep.every((n, i) => n === t.shape[i]) ? t : tf.slice(t, [0, 0, 0, 0], keep);
  return tf.pad(cropped, pads) as tf.Tensor4D;
}

/** The window of tap (i, j) in a [*, H, W, *] tensor, strided like the forward. */
function tapWindow(t: tf.Tensor4D, i: number, j: number, g: ConvGeometry, hAxis: number, oh: number, ow: number): tf.Tensor4D {
  const begin = [0, 0, 0, 0];
  const end = [...t.shape];
  const strides = [1, 1, 1, 1];
  begin[hAxis] = i * g.height.dilation;
  begin[hAxis + 1] = j * g.width.dilation;
  end[hAxis] = begin[hAxis] + (oh - 1) * g.height.stride + 1;
  end[hAxis + 1] = begin[hAxis + 1] + (ow - 1) * g.width.stride + 1;
  strides[hAxis] = g.height.stride;
  strides[hAxis + 1] = g.width.stride;
  if (strides.every(s => s === 1)) return tf.slice(t, begin, end.map((e, k) => e - begin[k]));
  return tf.stridedSlice(t, begin, end, strides) as tf.Tensor4D;
}

function dwFilterPerTapMatMul(x: tf.Tensor4D, dy: tf.Tensor4D, fs: number[], g: ConvGeometry): tf.Tensor {
  const [kh, kw, c, m] = fs;
  const [b, oh, ow] = dy.shape;
  const n = b * oh * ow;
  const xp = channelsFirstPadded(x, g);
  const dyt = tf.reshape(tf.transpose(tf.reshape(dy, [b, oh, ow, c, m]), [3, 1, 2, 0, 4]), [c, n, m]);
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
    taps.push(tf.matMul(tf.reshape(tapWindow(xp, i, j, g, 1, oh, ow), [c, 1, n]), dyt as tf.Tensor3D));
  }
  return tf.transpose(tf.reshape(tf.concat(taps, 1), [c, kh, kw, m]), [1, 2, 0, 3]);
}

function dwFilterStackMatMul(x: tf.Tensor4D, dy: tf.Tensor4D, fs: number[], g: ConvGeometry): tf.Tensor {
  const [kh, kw, c, m] = fs;
  const [b, oh, ow] = dy.shape;
  const n = b * oh * ow;
  const xp = channelsFirstPadded(x, g);
  const dyt = tf.reshape(tf.transpose(tf.reshape(dy, [b, oh, ow, c, m]), [3, 1, 2, 0, 4]), [c, n, m]);
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) taps.push(tf.reshape(tapWindow(xp, i, j, g, 1, oh, ow), [c, 1, n]));
  const out = tf.matMul(tf.concat(taps, 1) as tf.Tensor3D, dyt as tf.Tensor3D);
  return tf.transpose(tf.reshape(out, [c, kh, kw, m]), [1, 2, 0, 3]);
}

/** multiplier 1 only */
function dwFilterPerTapMulSumCF(x: tf.Tensor4D, dy: tf.Tensor4D, fs: number[], g: ConvGeometry): tf.Tensor {
  const [kh, kw, c] = fs;
  const [, oh, ow] = dy.shape;
  const xp = channelsFirstPadded(x, g);
  const dyt = tf.transpose(dy, [3, 1, 2, 0]);
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) taps.push(tf.sum(tf.mul(tapWindow(xp, i, j, g, 1, oh, ow), dyt), [1, 2, 3]));
  return tf.reshape(tf.stack(taps), [kh, kw, c, 1]);
}

/** multiplier 1 only: original NHWC layout, no transposes of x or dy */
function dwFilterPerTapMulSumNHWC(x: tf.Tensor4D, dy: tf.Tensor4D, fs: number[], g: ConvGeometry): tf.Tensor {
  const [kh, kw, c] = fs;
  const [, oh, ow] = dy.shape;
  const xp = padOrCrop(x, g, 1);
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) taps.push(tf.mul(tapWindow(xp, i, j, g, 1, oh, ow), dy));
  // [taps, n, c] summed over n by one matMul with a ones row per tap batch.
  const stacked = tf.reshape(tf.stack(taps), [kh * kw, -1, c]);
  return tf.reshape(tf.sum(stacked, 1), [kh, kw, c, 1]);
}

/** multiplier 1 only: NHWC products reduced over n by a matMul with ones (xnn GEMM) */
function dwFilterPerTapMulOnesNHWC(x: tf.Tensor4D, dy: tf.Tensor4D, fs: number[], g: ConvGeometry): tf.Tensor {
  const [kh, kw, c] = fs;
  const [b, oh, ow] = dy.shape;
  const n = b * oh * ow;
  const xp = padOrCrop(x, g, 1);
  const ones = tf.ones([1, n]) as tf.Tensor2D;
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
    taps.push(tf.matMul(ones, tf.reshape(tf.mul(tapWindow(xp, i, j, g, 1, oh, ow), dy), [n, c]) as tf.Tensor2D));
  }
  return tf.reshape(tf.concat(taps, 0), [kh, kw, c, 1]);
}

/**
 * Flat shifts: x padded to the extent the forward read, dy spread to stride
 * positions and padded to the same grid; flattened to [rows, c], tap (i, j)
 * is x shifted by i·d·W + j·d rows (a contiguous slice). Rows that wrap past
 * an image edge meet dy zeros. `sumTap` reduces one tap's products to [1, c].
 */
function dwFilterFlatShiftWith(
  x: tf.Tensor4D, dy: tf.Tensor4D, fs: number[], g: ConvGeometry,
  sumTap: (xTap: tf.Tensor2D, dySpread: tf.Tensor4D, rows: number) => tf.Tensor,
): tf.Tensor {
  const [kh, kw, c, m] = fs;
  if (m !== 1) throw new Error('m1 only');
  const xp = padOrCrop(x, g, 1);
  const [b, gh, gw] = xp.shape;
  const { spread } = spreadTo(dy, g.height.stride, g.width.stride, gh, gw);
  const rows = b * gh * gw;
  const maxOff = (kh - 1) * g.height.dilation * gw + (kw - 1) * g.width.dilation;
  const xf = tf.pad(tf.reshape(xp, [rows, c]), [[0, maxOff], [0, 0]]);
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
    const off = i * g.height.dilation * gw + j * g.width.dilation;
    taps.push(sumTap(tf.slice(xf, [off, 0], [rows, c]) as tf.Tensor2D, spread as tf.Tensor4D, rows));
  }
  return tf.reshape(tf.concat(taps, 0), [kh, kw, c, 1]);
}

/** Each tap is one mul and one ones-row matMul. */
function dwFilterFlatShift(x: tf.Tensor4D, dy: tf.Tensor4D, fs: number[], g: ConvGeometry): tf.Tensor {
  return dwFilterFlatShiftWith(x, dy, fs, g, (xTap, spread, rows) =>
    tf.matMul(tf.ones([1, rows]) as tf.Tensor2D, tf.mul(xTap, tf.reshape(spread, xTap.shape)) as tf.Tensor2D));
}

/** Each tap's products are summed by a global average pool (XNNPACK, NHWC, one pass). */
function dwFilterFlatShiftPool(x: tf.Tensor4D, dy: tf.Tensor4D, fs: number[], g: ConvGeometry): tf.Tensor {
  return dwFilterFlatShiftWith(x, dy, fs, g, (xTap, spread, rows) => {
    const [b, gh, gw, c] = spread.shape;
    const grid: [number, number, number, number] = [1, b * gh, gw, c];
    const prod = tf.mul(tf.reshape(xTap, grid), tf.reshape(spread, grid)) as tf.Tensor4D;
    return tf.mul(tf.avgPool(prod, [b * gh, gw], 1, 'valid'), rows).reshape([1, c]);
  });
}

/**
 * Channels as the batch of a regular conv, in groups of `group` channels:
 * per group one conv2d (GEMM) computes every (channel, channel) pair of the
 * group and the diagonal is kept — `group`× redundant MACs, but at GEMM speed
 * instead of XNNPACK's large-kernel depthwise path.
 */
function dwFilterGroupedConv(x: tf.Tensor4D, dy: tf.Tensor4D, fs: number[], g: ConvGeometry, group: number): tf.Tensor {
  const [kh, kw, c, m] = fs;
  if (m !== 1) throw new Error('m1 only');
  const xc = channelsFirstPadded(x, g); // [c, gh, gw, b], padded like the forward
  const dyc = tf.transpose(dy, [3, 1, 2, 0]) as tf.Tensor4D; // [c, oh, ow, b]
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < c; start += group) {
    const n = Math.min(group, c - start);
    const xg = n === c ? xc : tf.slice(xc, [start, 0, 0, 0], [n, -1, -1, -1]);
    const dyg = tf.transpose(n === c ? dyc : tf.slice(dyc, [start, 0, 0, 0], [n, -1, -1, -1]), [1, 2, 3, 0]) as tf.Tensor4D; // [oh, ow, b, n]
    const all = tf.conv2d(xg, dyg, [g.height.dilation, g.width.dilation], 'valid', 'NHWC', [g.height.stride, g.width.stride]); // [n, kh, kw, n]
    // Diagonal: pairs (i, i) sit at flat offsets i·(kh·kw·n + 1) of [n, kh·kw, n] after moving taps outside.
    const taps = tf.reshape(tf.transpose(all, [1, 2, 0, 3]), [kh * kw, n * n]);
    const diag = tf.gather(taps, tf.range(0, n * n, n + 1, 'int32'), 1); // [kh·kw, n]
    parts.push(diag);
  }
  return tf.reshape(parts.length === 1 ? parts[0] : tf.concat(parts, 1), [kh, kw, c, 1]);
}

/** dy [b, oh, ow, c] → [b, gh, gw, c] with dy[o] at o·s, zeros elsewhere. */
function spreadTo(dy: tf.Tensor4D, sh: number, sw: number, gh: number, gw: number): { spread: tf.Tensor4D } {
  const [b, oh, ow, c] = dy.shape;
  let t: tf.Tensor4D = dy;
  if (sh > 1 || sw > 1) {
    t = tf.reshape(tf.pad(tf.reshape(dy, [b, oh, 1, ow, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]), [b, oh * sh, ow * sw, c]);
  }
  const [, th, tw] = t.shape;
  if (th > gh || tw > gw) t = tf.slice(t, [0, 0, 0, 0], [b, Math.min(th, gh), Math.min(tw, gw), c]);
  return { spread: tf.pad(t, [[0, 0], [0, gh - t.shape[1]], [0, gw - t.shape[2]], [0, 0]]) };
}


// ---- bench driver ----

interface DwShape { b: number; hw: number; c: number; k: number; s: number }

function dwFilterBench(shapes: DwShape[], repeats: number): void {
  console.log('depthwise filter gradient [b,h,w,c] kxk stride s:');
  for (const sh of shapes) {
    const x = tf.randomUniform([sh.b, sh.hw, sh.hw, sh.c], -1, 1, 'float32', 1) as tf.Tensor4D;
    const f = tf.randomUniform([sh.k, sh.k, sh.c, 1], -1, 1, 'float32', 2) as tf.Tensor4D;
    const g = convGeometry(x.shape, f.shape, [sh.s, sh.s], 'same', [1, 1], true);
    const dy = tf.randomUniform([sh.b, g.height.out, g.width.out, sh.c], -1, 1, 'float32', 3) as tf.Tensor4D;
    const fwd = timeIt(() => tf.depthwiseConv2d(x, f, sh.s, 'same'), repeats);
    compareAndTime(`[${sh.b},${sh.hw},${sh.hw},${sh.c}] k${sh.k} s${sh.s} (fwd ${fwd.toFixed(1)})`, [
      ['dwconv', () => grads.depthwiseFilterGrad(x, dy, f.shape, g)],
      ['simd', () => simdDepthwiseFilterGrad(x, dy, f.shape, g)],
      // One of each family by default; QAT_ALL_CANDIDATES=1 times them all.
      ['tapMulSumCF', () => dwFilterPerTapMulSumCF(x, dy, f.shape, g)],
      ['flatShiftPool', () => dwFilterFlatShiftPool(x, dy, f.shape, g)],
      ['groupConv16', () => dwFilterGroupedConv(x, dy, f.shape, g, 16)],
      ...(process.env.QAT_ALL_CANDIDATES ? [
        ['tapMatMul', () => dwFilterPerTapMatMul(x, dy, f.shape, g)],
        ['stackMatMul', () => dwFilterStackMatMul(x, dy, f.shape, g)],
        ['tapMulSumNHWC', () => dwFilterPerTapMulSumNHWC(x, dy, f.shape, g)],
        ['tapMulOnes', () => dwFilterPerTapMulOnesNHWC(x, dy, f.shape, g)],
        ['flatShift', () => dwFilterFlatShift(x, dy, f.shape, g)],
        ['groupConv8', () => dwFilterGroupedConv(x, dy, f.shape, g, 8)],
        ['groupConv4', () => dwFilterGroupedConv(x, dy, f.shape, g, 4)],
      ] as Array<[string, Fn]> : []),
    ], repeats);
    tf.dispose([x, f, dy]);
  }
}

interface StridedShape { b: number; hw: number; cin: number; cout: number; k: number; kind: 'conv' | 'dw' }

function stridedInputBench(shapes: StridedShape[], repeats: number): void {
  console.log('stride-2 input gradient [b,h,w,cin] kxk (→cout for conv):');
  for (const sh of shapes) {
    const x = tf.randomUniform([sh.b, sh.hw, sh.hw, sh.cin], -1, 1, 'float32', 1) as tf.Tensor4D;
    const dw = sh.kind === 'dw';
    const f = tf.randomUniform([sh.k, sh.k, sh.cin, dw ? 1 : sh.cout], -1, 1, 'float32', 2) as tf.Tensor4D;
    const g = convGeometry(x.shape, f.shape, [2, 2], 'same', [1, 1], dw);
    const dy = tf.randomUniform([sh.b, g.height.out, g.width.out, dw ? sh.cin : sh.cout], -1, 1, 'float32', 3) as tf.Tensor4D;
    const title = `${sh.kind} [${sh.b},${sh.hw},${sh.hw},${sh.cin}] k${sh.k}${dw ? '' : `→${sh.cout}`}`;
    compareAndTime(title, dw ? [
      ['spread', () => grads.depthwiseInputGrad(dy, f, g)],
      ['phases', () => grads.depthwiseInputGradByPhase(dy, f, g)],
    ] : [
      ['spread', () => grads.convInputGrad(dy, f, g)],
      ['phases', () => grads.convInputGradByPhase(dy, f, g)],
      ['conv2dTranspose', () => tf.conv2dTranspose(dy, f, x.shape, 2, 'same')],
    ], repeats);
    tf.dispose([x, f, dy]);
  }
}

const STRIDED: StridedShape[] = [
  { kind: 'dw', b: 32, hw: 32, cin: 32, cout: 32, k: 3 },
  { kind: 'dw', b: 32, hw: 16, cin: 64, cout: 64, k: 3 },
  { kind: 'dw', b: 32, hw: 8, cin: 128, cout: 128, k: 3 },
  { kind: 'dw', b: 32, hw: 112, cin: 64, cout: 64, k: 3 },
  { kind: 'conv', b: 32, hw: 32, cin: 16, cout: 32, k: 3 },
  { kind: 'conv', b: 32, hw: 16, cin: 64, cout: 128, k: 3 },
  { kind: 'conv', b: 32, hw: 32, cin: 32, cout: 64, k: 1 },
  { kind: 'conv', b: 32, hw: 8, cin: 128, cout: 256, k: 3 },
  { kind: 'conv', b: 32, hw: 28, cin: 1, cout: 32, k: 3 },
  { kind: 'conv', b: 32, hw: 15, cin: 16, cout: 16, k: 3 },
];

interface PwShape { b: number; hw: number; cin: number; cout: number }

function pointwiseBench(shapes: PwShape[], repeats: number): void {
  console.log('1×1 conv [b,h,w,cin]→cout: forward | input gradient | filter gradient');
  for (const sh of shapes) {
    const x = tf.randomUniform([sh.b, sh.hw, sh.hw, sh.cin], -1, 1, 'float32', 1) as tf.Tensor4D;
    const f = tf.randomUniform([1, 1, sh.cin, sh.cout], -1, 1, 'float32', 2) as tf.Tensor4D;
    const dy = tf.randomUniform([sh.b, sh.hw, sh.hw, sh.cout], -1, 1, 'float32', 3) as tf.Tensor4D;
    const g = convGeometry(x.shape, f.shape, [1, 1], 'same', [1, 1], false);
    const rows = sh.b * sh.hw * sh.hw;
    const x2 = () => tf.reshape(x, [rows, sh.cin]) as tf.Tensor2D;
    const dy2 = () => tf.reshape(dy, [rows, sh.cout]) as tf.Tensor2D;
    const f2 = () => tf.reshape(f, [sh.cin, sh.cout]) as tf.Tensor2D;
    const name = `[${sh.b},${sh.hw},${sh.hw},${sh.cin}]→${sh.cout}`;
    compareAndTime(`${name} fwd`, [
      ['conv2d', () => tf.conv2d(x, f, 1, 'same')],
      ['matMul', () => tf.reshape(tf.matMul(x2(), f2()), dy.shape)],
    ], repeats);
    compareAndTime(`${name} dx`, [
      ['flipConv', () => grads.convInputGrad(dy, f, g)],
      ['conv2dT', () => tf.conv2d(dy, tf.transpose(f, [0, 1, 3, 2]) as tf.Tensor4D, 1, 'same')],
      ['matMulT', () => tf.reshape(tf.matMul(dy2(), tf.transpose(f2())), x.shape)],
    ], repeats);
    compareAndTime(`${name} dW`, [
      ['conv', () => grads.convFilterGrad(x, dy, g)],
      ['matMul(xT,dy)', () => tf.reshape(tf.matMul(tf.transpose(x2()), dy2()), f.shape)],
      ['matMul(dyT,x)T', () => tf.reshape(tf.transpose(tf.matMul(tf.transpose(dy2()), x2())), f.shape)],
      ['simd', () => simdConvFilterGrad(x, dy, g)],
    ], repeats);
    tf.dispose([x, f, dy]);
  }
}

interface ConvShape { b: number; hw: number; cin: number; cout: number; k: number; s: number; padding: 'same' | 'valid' }

function convFilterBench(shapes: ConvShape[], repeats: number): void {
  console.log('conv filter gradient [b,h,w,cin] kxk stride s →cout:');
  for (const sh of shapes) {
    const x = tf.randomUniform([sh.b, sh.hw, sh.hw, sh.cin], -1, 1, 'float32', 1) as tf.Tensor4D;
    const f = tf.randomUniform([sh.k, sh.k, sh.cin, sh.cout], -1, 1, 'float32', 2) as tf.Tensor4D;
    const g = convGeometry(x.shape, f.shape, [sh.s, sh.s], sh.padding, [1, 1], false);
    const dy = tf.randomUniform([sh.b, g.height.out, g.width.out, sh.cout], -1, 1, 'float32', 3) as tf.Tensor4D;
    compareAndTime(`[${sh.b},${sh.hw},${sh.hw},${sh.cin}] k${sh.k} s${sh.s} ${sh.padding} →${sh.cout}`, [
      ['conv', () => grads.convFilterGrad(x, dy, g)],
      ['simd', () => simdConvFilterGrad(x, dy, g)],
    ], repeats);
    tf.dispose([x, f, dy]);
  }
}

function dwInputBench(shapes: DwShape[], repeats: number): void {
  console.log('depthwise input gradient [b,h,w,c] kxk stride s:');
  for (const sh of shapes) {
    const x = tf.randomUniform([sh.b, sh.hw, sh.hw, sh.c], -1, 1, 'float32', 1) as tf.Tensor4D;
    const f = tf.randomUniform([sh.k, sh.k, sh.c, 1], -1, 1, 'float32', 2) as tf.Tensor4D;
    const g = convGeometry(x.shape, f.shape, [sh.s, sh.s], 'same', [1, 1], true);
    const dy = tf.randomUniform([sh.b, g.height.out, g.width.out, sh.c], -1, 1, 'float32', 3) as tf.Tensor4D;
    compareAndTime(`[${sh.b},${sh.hw},${sh.hw},${sh.c}] k${sh.k} s${sh.s}`, [
      ['dwconv', () => grads.depthwiseInputGrad(dy, f, g)],
      ['simd', () => simdDepthwiseInputGrad(dy, f, g)],
    ], repeats);
    tf.dispose([x, f, dy]);
  }
}

/** The reference CNN's convs, a ResNet-like 3×3 and MobileNet stems. */
const CONVS: ConvShape[] = [
  { b: 64, hw: 28, cin: 1, cout: 32, k: 3, s: 1, padding: 'valid' },
  { b: 64, hw: 26, cin: 32, cout: 64, k: 3, s: 1, padding: 'valid' },
  { b: 64, hw: 16, cin: 32, cout: 32, k: 3, s: 1, padding: 'same' },
  { b: 64, hw: 32, cin: 1, cout: 16, k: 3, s: 1, padding: 'same' },
  { b: 32, hw: 96, cin: 3, cout: 32, k: 3, s: 2, padding: 'same' },
];

const MOBILENET_PW: PwShape[] = [
  { b: 32, hw: 32, cin: 16, cout: 32 },
  { b: 32, hw: 16, cin: 32, cout: 64 },
  { b: 32, hw: 16, cin: 64, cout: 64 },
  { b: 32, hw: 8, cin: 64, cout: 128 },
  { b: 32, hw: 8, cin: 128, cout: 128 },
  { b: 32, hw: 4, cin: 128, cout: 256 },
  { b: 32, hw: 4, cin: 256, cout: 256 },
  { b: 32, hw: 4, cin: 512, cout: 512 },
];

const MOBILENET_DW: DwShape[] = [
  { b: 32, hw: 32, c: 16, k: 3, s: 1 },
  { b: 32, hw: 32, c: 32, k: 3, s: 2 },
  { b: 32, hw: 16, c: 64, k: 3, s: 1 },
  { b: 32, hw: 16, c: 64, k: 3, s: 2 },
  { b: 32, hw: 8, c: 128, k: 3, s: 1 },
  { b: 32, hw: 8, c: 128, k: 3, s: 2 },
  { b: 32, hw: 4, c: 256, k: 3, s: 1 },
  { b: 64, hw: 16, c: 64, k: 3, s: 1 },
];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, repeats: { type: 'string', default: '5' } } });
  const only = new Set((values.only ?? 'dwFilter').split(','));
  const repeats = Number(values.repeats);
  await selectBackend('wasm');
  if (only.has('dwFilter')) dwFilterBench(MOBILENET_DW, repeats);
  if (only.has('dwInput')) dwInputBench(MOBILENET_DW, repeats);
  if (only.has('pointwise')) pointwiseBench(MOBILENET_PW, repeats);
  if (only.has('convFilter')) convFilterBench(CONVS, repeats);
  if (only.has('strided')) stridedInputBench(STRIDED, repeats);
}

main().catch(e => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
