// --workers auto: whether a second replica pays depends on the machine at
// that moment (free cores, memory bandwidth) and on the model (its step
// against the per-step cost of exchanging weights and gradients), so it is
// measured rather than assumed. The run's first steps alternate between one
// process and the replicas, each timed; the faster is kept for the rest of
// the run and the other is closed. Every probe step is a real training step.
import type { Batch } from '../../datasets/types.js';
import type { StepResult, Stepper } from '../step.js';
import type { ParallelStepper } from './stepper.js';

/** Warm-up steps per arm (kernel compilation, first allocations), then timed steps per arm, alternating. */
export const AUTO_PROBE = { warmup: 1, timed: 3, minSteps: 40, margin: 1.1 } as const;

export interface AutoDecision {
  replicas: number;
  /** Median img/s over the timed steps. */
  singleRate: number;
  parallelRate: number;
}

export interface AutoStepper {
  run(batch: Batch, lr: number, stepSeed: number): Promise<StepResult>;
  /** Closes whichever stepper was not kept (or the replicas when the run ends first). */
  close(): Promise<void>;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/**
 * Steps with `single` and `parallel` in turn (arm 0 first), then keeps the
 * replicas when they step at least AUTO_PROBE.margin × as fast, else one
 * process; `decided` hears the choice once.
 */
export function probingStepper(single: Stepper, parallel: ParallelStepper, decided: (d: AutoDecision) => void): AutoStepper {
  const rates: [number[], number[]] = [[], []];
  let step = 0;
  let kept: 'probing' | 'single' | 'parallel' = 'probing';
  let closed = false;
  const closeParallel = async (): Promise<void> => {
    if (!closed) await parallel.close();
    closed = true;
  };
  return {
    async run(batch, lr, stepSeed) {
      if (kept === 'single') return single.run(batch, lr, stepSeed);
      if (kept === 'parallel') return parallel.run(batch, lr, stepSeed);
      const arm = step % 2;
      const timed = step >= 2 * AUTO_PROBE.warmup;
      step++;
      const t0 = performance.now();
      const r = arm === 0 ? single.run(batch, lr, stepSeed) : await parallel.run(batch, lr, stepSeed);
      if (timed) rates[arm]!.push(batch.n / ((performance.now() - t0) / 1000));
      if (rates[1].length >= AUTO_PROBE.timed) {
        const [singleRate, parallelRate] = [median(rates[0]), median(rates[1])];
        const pays = parallelRate >= AUTO_PROBE.margin * singleRate;
        kept = pays ? 'parallel' : 'single';
        if (!pays) await closeParallel();
        decided({ replicas: pays ? parallel.replicas : 1, singleRate, parallelRate });
      }
      return r;
    },
    close: closeParallel,
  };
}

/** The line a run prints once auto has measured. */
export function describeDecision(d: AutoDecision, replicas: number): string {
  const ratio = (d.parallelRate / d.singleRate).toFixed(2);
  const rates = `${d.parallelRate.toFixed(0)} vs ${d.singleRate.toFixed(0)} img/s`;
  return d.replicas > 1
    ? `workers auto: ${replicas} replicas, ${ratio}× one process's speed over the first steps (${rates})`
    : `workers auto: one process; ${replicas} replicas stepped at ${ratio}× its speed on this machine now (${rates})`;
}
