// Which gradient formulation layers/ops uses. 'simd' is the default and the
// only one graph code should need: 'fast' plus the project's own WebAssembly
// SIMD kernels (layers/wasm/) where the tfjs backend is wasm; on other
// backends it is 'fast'. 'fast' (tfjs ops only) and 'baseline' (the earlier
// all-conv formulation) stay selectable so benchmarks can time them in one
// process and the tests can check each against the cpu backend.
export const GRAD_FORMULATIONS = ['baseline', 'fast', 'simd'] as const;
export type GradFormulation = typeof GRAD_FORMULATIONS[number];

let current: GradFormulation = 'simd';

export function setGradFormulation(f: GradFormulation): void {
  if (!GRAD_FORMULATIONS.includes(f)) throw new Error(`unknown gradient formulation '${f}' (${GRAD_FORMULATIONS.join(', ')})`);
  current = f;
}

export function gradFormulation(): GradFormulation {
  return current;
}
