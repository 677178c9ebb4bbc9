// Micro-benchmark: int8 CONV_2D of the mnist-cnn's second conv
// (26×26×32 → 24×24×64, 3×3 VALID, per-channel, RELU), ms per image.
//   npx tsc -p . --outDir .build/kernels && node .build/kernels/bench/kernels.js [iterations]

import { conv2dInt8, prepareConv2dInt8 } from '../src/interpreter/kernels/index.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

const rand = lcg(7);
const [H, W, C, OC, K] = [26, 26, 32, 64, 3];
const input = new Int8Array(H * W * C).map(() => Math.floor(rand() * 256) - 128);
const weights = new Int8Array(OC * K * K * C).map(() => Math.floor(rand() * 255) - 127);
const bias = new Int32Array(OC).map(() => Math.floor(rand() * 20000) - 10000);
const wScales = Array.from({ length: OC }, () => 0.002 + rand() * 0.01);

const params = prepareConv2dInt8(
  { shape: [1, H, W, C], scale: [0.02], zeroPoint: [-5], quantizedDimension: 0 },
  { shape: [OC, K, K, C], data: weights, scale: wScales, zeroPoint: new Array<number>(OC).fill(0), quantizedDimension: 0 },
  bias,
  { scale: [0.05], zeroPoint: [-128], quantizedDimension: 0 },
  { padding: 'VALID', strideH: 1, strideW: 1, activation: 'RELU' },
);
const output = new Int8Array(24 * 24 * OC);

const iterations = Number(process.argv[2] ?? 200);
for (let i = 0; i < 20; i++) conv2dInt8(params, input, output); // warm-up (JIT)
const t0 = process.hrtime.bigint();
for (let i = 0; i < iterations; i++) conv2dInt8(params, input, output);
const ms = Number(process.hrtime.bigint() - t0) / 1e6 / iterations;
const macs = 24 * 24 * OC * K * K * C;
console.log(`int8 CONV_2D 26x26x32 -> 24x24x64 (3x3): ${ms.toFixed(3)} ms/image, ${(macs / ms / 1e6).toFixed(2)} GMAC/s over ${iterations} runs`);
