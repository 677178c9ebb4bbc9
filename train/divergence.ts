// Catching divergence where it starts: after every step, one fused
// reduction gives each trainable variable's mean |value| in a single
// readback (a non-finite value anywhere makes its sum non-finite), so the
// first layer whose parameters went non-finite or blew up is named before
// anything is saved. A NaN or infinite gradient shows up here too: the
// optimizer's update carries it into the parameters of the same step.
import * as tf from '@tensorflow/tfjs';
import type { VariableKind, VariableStore } from './state.js';

/** Mean |w| beyond which a layer counts as exploded: trained weights sit many orders of magnitude below. */
export const EXPLODED_MEAN_ABS = 1e6;

export interface ParameterFault {
  /** The store variable, `<layer>/<role>`. */
  variable: string;
  layer: string;
  meanAbs: number;
}

export interface ParameterHealth {
  /** The first trainable variable (in graph order) that is non-finite or exploded; null when all are healthy. */
  fault: ParameterFault | null;
  /** The variable with the largest mean |w|: where to look when the loss overflowed with finite weights. */
  largest: ParameterFault | null;
}

export function parameterHealth(store: VariableStore, kinds: readonly VariableKind[]): ParameterHealth {
  const entries = store.list(kinds).filter((e) => e.variable.dtype === 'float32' && e.variable.size > 0);
  if (entries.length === 0) return { fault: null, largest: null };
  const stacked = tf.tidy(() => tf.stack(entries.map((e) => tf.sum(tf.abs(e.variable)))));
  const sums = stacked.dataSync();
  stacked.dispose();
  let fault: ParameterFault | null = null;
  let largest: ParameterFault | null = null;
  entries.forEach((e, i) => {
    const f = { variable: e.name, layer: e.name.split('/')[0], meanAbs: sums[i] / e.variable.size };
    if (!fault && !(f.meanAbs <= EXPLODED_MEAN_ABS)) fault = f;
    if (!largest || f.meanAbs > largest.meanAbs) largest = f;
  });
  return { fault, largest };
}

/** Says what went wrong in a parameter, for the divergence message. */
export function describeFault(f: ParameterFault): string {
  const what = Number.isFinite(f.meanAbs) ? `exploded (mean |w| ${f.meanAbs.toExponential(1)})` : 'went non-finite';
  return `the weights of layer '${f.layer}' (${f.variable}) ${what}`;
}

/** Where a non-finite loss most likely came from when every weight is still finite. */
export function describeLargest(f: ParameterFault | null): string {
  return f ? `every weight is finite; the largest are in layer '${f.layer}' (mean |w| ${f.meanAbs.toExponential(1)})` : 'every weight is finite';
}
