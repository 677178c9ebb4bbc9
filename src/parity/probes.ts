// What a parity check needs from both sides, whatever holds the reference:
// how to feed the model the eval graph's input codes, and which quantized
// layers the model has an integer tensor for.
import { UserError } from '../errors.js';
import type { TensorDetails, TensorView, Interpreter } from '../interpreter/index.js';
import { quantizeReal } from '../interpreter/feed.js';
import type { NodeOf } from '../ir/types.js';
import type { EvalGraph } from '../../train/graph/build.js';
import { LayerStats } from './stats.js';

/** Integer (or float) input data for the model, from the eval graph's view of one image. */
export type Feed = (image: Float32Array, quantizedImage: Float32Array | null) => Int8Array | Uint8Array | Float32Array;

export function feedFor(d: TensorDetails): Feed {
  if (d.dtype === 'float32') return (image) => image.slice();
  if ((d.dtype !== 'int8' && d.dtype !== 'uint8') || d.scale === null || d.zeroPoint === null) {
    throw new UserError(`The model's input is ${d.dtype}${d.scale === null ? ' without a scale' : ''}; parity feeds float32, int8 or uint8 image inputs.`);
  }
  const scale = d.scale, zp = d.zeroPoint;
  const [lo, hi] = d.dtype === 'int8' ? [-128, 127] : [0, 255];
  return (image, q) => {
    // The eval graph's input fake-quant already picked the codes; reading them back keeps both sides on the same integers.
    if (!q) return quantizeReal(image, d);
    const out = d.dtype === 'int8' ? new Int8Array(q.length) : new Uint8Array(q.length);
    for (let i = 0; i < q.length; i++) out[i] = Math.min(hi, Math.max(lo, Math.round(q[i]! / scale) + zp));
    return out;
  };
}

export interface LayerProbe {
  stats: LayerStats;
  view: TensorView;
  per: number;
}

/** The quantized layers the model has an integer tensor for, and the ones it lacks. */
export function probes(graph: EvalGraph, interp: Interpreter): { layers: LayerProbe[]; unmatched: string[]; inputFq: string | null } {
  const a = graph.ir;
  const ops = new Map(a.order.map((n) => [n.name, n.op as string]));
  const layers: LayerProbe[] = [];
  const unmatched: string[] = [];
  let inputFq: string | null = null;
  const fqs = a.order.filter((n): n is NodeOf<'fakeQuant'> => n.op === 'fakeQuant');
  for (const fq of fqs) {
    if (fq.attrs.role === 'input') {
      inputFq ??= fq.name;
      continue;
    }
    const name = fq.attrs.quantizes;
    let view: TensorView;
    try {
      view = interp.tensor(name);
    } catch {
      unmatched.push(name);
      continue;
    }
    if ((view.dtype !== 'int8' && view.dtype !== 'uint8') || view.scale === null || view.zeroPoint === null) {
      unmatched.push(name);
      continue;
    }
    const per = a.shapes.get(fq.name)!.reduce((x, y) => x * y, 1);
    if (per !== view.data.length) unmatched.push(name);
    else layers.push({ stats: new LayerStats(name, fq.name, ops.get(name) ?? 'input', view.dtype, view.scale, view.zeroPoint), view, per });
  }
  return { layers, unmatched, inputFq };
}
