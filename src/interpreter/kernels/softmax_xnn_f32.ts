// float32 SOFTMAX as LiteRT runs it with β = 1: XNNPACK's softmax. Per row:
// the max; e = exp(x − max) by XNNPACK's own float32 approximation (range
// reduction to 2^n·e^t with ln 2 split in two, a degree-5 polynomial, zero
// below the denormal cutoff); the e's summed in 4 lanes (element i in lane
// i mod 4, for all but the last n mod 4), folded (l0 + l2) + (l1 + l3), the
// last two added as a pair, then the last one; every e times float32(1/sum).
// Each step is one float32 operation, in the order the wasm SIMD kernel
// (no fused multiply-add) performs it; measured bit-exact against LiteRT.

const f32 = Math.fround;

// The kernel's constants, as float32 (written as exact binary fractions).
const LOG2E = f32(0xb8aa3b / 2 ** 23);
const MAGIC_BIAS = f32(0xc0007f);
const MINUS_LN2_HI = f32(-0xb17200 / 2 ** 24);
const MINUS_LN2_LO = f32(-0xbfbe8e / 2 ** 43);
const C5 = f32(0x87cfce / 2 ** 30);
const C4 = f32(0xab9d0d / 2 ** 28);
const C3 = f32(0xaaad40 / 2 ** 26);
const C2 = f32(0xfffee3 / 2 ** 25);
const C1 = f32(0xfffffb / 2 ** 24);
const DENORM_CUTOFF = f32(-0xaeac4f / 2 ** 17);

const bits = new Float32Array(1);
const ints = new Int32Array(bits.buffer);

/** XNNPACK's exp(x − max) in float32. */
export function xnnExpMinusMax(v: number, max: number): number {
  const x = f32(v - max);
  let n = f32(f32(x * LOG2E) + MAGIC_BIAS);
  bits[0] = n;
  ints[0] = ints[0]! << 23;
  const s = bits[0]!;
  n = f32(n - MAGIC_BIAS);
  let t = f32(f32(n * MINUS_LN2_HI) + x);
  t = f32(f32(n * MINUS_LN2_LO) + t);
  let p = f32(f32(C5 * t) + C4);
  p = f32(f32(p * t) + C3);
  p = f32(f32(p * t) + C2);
  p = f32(f32(p * t) + C1);
  t = f32(t * s);
  const e = f32(f32(t * p) + s);
  return x < DENORM_CUTOFF ? 0 : e;
}

export function softmaxRowsXnnF32(input: Float32Array, output: Float32Array, rows: number, depth: number): void {
  const n4 = depth - (depth % 4);
  for (let r = 0; r < rows; r++) {
    const base = r * depth;
    let max = -Infinity;
    for (let j = 0; j < depth; j++) if (input[base + j]! > max) max = input[base + j]!;
    let l0 = 0;
    let l1 = 0;
    let l2 = 0;
    let l3 = 0;
    for (let j = 0; j < depth; j++) output[base + j] = xnnExpMinusMax(input[base + j]!, max);
    for (let j = 0; j < n4; j += 4) {
      l0 = f32(l0 + output[base + j]!);
      l1 = f32(l1 + output[base + j + 1]!);
      l2 = f32(l2 + output[base + j + 2]!);
      l3 = f32(l3 + output[base + j + 3]!);
    }
    let sum = f32(f32(l0 + l2) + f32(l1 + l3));
    if (depth % 4 >= 2) sum = f32(sum + f32(output[base + n4]! + output[base + n4 + 1]!));
    if (depth % 2 === 1) sum = f32(sum + output[base + depth - 1]!);
    const scale = f32(1 / sum);
    for (let j = 0; j < depth; j++) output[base + j] = f32(output[base + j]! * scale);
  }
}
