// Initial values for parameters, from the IR's InitSpec and a seed.
// Each variable's stream is seeded by (seed, name), so adding a layer does
// not change the initial values of the others.
import type { InitSpec } from '../src/ir/types.js';
import { hashString, mulberry32, normal, mixSeed } from './random.js';

/** Keras' truncated normal keeps |z| ≤ 2 and rescales so the stddev stays sqrt(2/fanIn). */
const TRUNC_STD = 0.87962566103423978;

export function initialValues(init: InitSpec, shape: number[], seed: number, name: string): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  switch (init.type) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'heNormal': {
      const rand = mulberry32(mixSeed(seed, hashString(name)));
      const std = Math.sqrt(2 / init.fanIn) / TRUNC_STD;
      for (let i = 0; i < n; i++) {
        let z = normal(rand);
        while (Math.abs(z) > 2) z = normal(rand);
        out[i] = z * std;
      }
      return out;
    }
    case 'glorotUniform': {
      const rand = mulberry32(mixSeed(seed, hashString(name)));
      const limit = Math.sqrt(6 / (init.fanIn + init.fanOut));
      for (let i = 0; i < n; i++) out[i] = (rand() * 2 - 1) * limit;
      return out;
    }
    case 'fanInUniform': {
      const rand = mulberry32(mixSeed(seed, hashString(name)));
      const limit = 1 / Math.sqrt(init.fanIn);
      for (let i = 0; i < n; i++) out[i] = (rand() * 2 - 1) * limit;
      return out;
    }
  }
}
