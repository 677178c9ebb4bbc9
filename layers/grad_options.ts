// Which gradient formulation layers/ops uses. 'fast' is the default and the
// only one graph code should need; 'baseline' keeps the earlier all-conv
// formulation selectable so benchmarks can time both in one process and the
// tests can check both against the cpu backend.
export const GRAD_FORMULATIONS = ['baseline', 'fast'] as const;
export type GradFormulation = typeof GRAD_FORMULATIONS[number];

let current: GradFormulation = 'fast';

export function setGradFormulation(f: GradFormulation): void {
  if (!GRAD_FORMULATIONS.includes(f)) throw new Error(`unknown gradient formulation '${f}' (${GRAD_FORMULATIONS.join(', ')})`);
  current = f;
}

export function gradFormulation(): GradFormulation {
  return current;
}
