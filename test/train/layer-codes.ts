// The integer eval graph against the exported int8 model, layer by layer:
// every fakeQuant's eval-graph output as int8 codes vs the interpreter's
// tensor named after the layer it quantizes, input by input.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { exportGraph } from '../../export/index.js';
import type { AnalyzedGraph } from '../../src/ir/analyze.js';
import type { NodeOf } from '../../src/ir/types.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { activationRange } from '../../quantize/qparams.js';
import { buildEvalGraph, type EvalArithmetic } from '../../train/graph/build.js';
import { activationGrid, gridCodes } from '../../train/graph/grid.js';
import type { VariableStore } from '../../train/state.js';

type Fq = NodeOf<'fakeQuant'>;

export interface LayerDiff {
  /** Elements compared over all fakeQuant tensors and inputs. */
  compared: number;
  differing: number;
  /** Layers with any difference, worst first. */
  worst: Array<[string, number]>;
}

/**
 * Every fakeQuant's eval-graph output as int8 codes vs the interpreter's
 * tensor named after the layer it quantizes, input by input.
 */
export function compareLayers(a: AnalyzedGraph, store: VariableStore, images: Float32Array, count: number, arithmetic: EvalArithmetic): LayerDiff {
  const shape = a.shapes.get(a.inputs[0]!)!;
  const fqs = a.order.filter((n): n is Fq => n.op === 'fakeQuant');
  const graph = buildEvalGraph(a, store, { arithmetic });
  expect(graph.arithmetic).to.equal(arithmetic);
  const x = tf.tensor4d(images, [count, ...shape] as [number, number, number, number]);
  const all = graph.runAll(x);
  x.dispose();
  const codes = new Map<string, Int8Array>();
  try {
    for (const fq of fqs) {
      const g = activationGrid(activationRange(fq, store), fq.attrs.bits);
      const q = tf.tidy(() => gridCodes(all.get(fq.name)!, g));
      codes.set(fq.name, Int8Array.from(q.dataSync()));
      q.dispose();
    }
  } finally {
    for (const t of all.values()) t.dispose();
  }
  const bytes = exportGraph(a, store, { mode: 'int8', inputType: 'int8', outputType: 'int8' }).bytes;
  const it = Interpreter.fromBuffer(bytes);
  const inputFq = fqs.find((f) => f.attrs.quantizes === a.inputs[0])!;
  const per = shape.reduce((p, d) => p * d, 1);
  const diff: LayerDiff = { compared: 0, differing: 0, worst: [] };
  const byLayer = new Map<string, number>();
  for (let k = 0; k < count; k++) {
    it.setInput(0, codes.get(inputFq.name)!.subarray(k * per, (k + 1) * per));
    it.invoke();
    for (const fq of fqs) {
      const want = it.tensor(fq.attrs.quantizes).data as Int8Array;
      const got = codes.get(fq.name)!.subarray(k * want.length, (k + 1) * want.length);
      expect(got.length, fq.name).to.equal(want.length);
      let d = 0;
      for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) d++;
      diff.compared += want.length;
      diff.differing += d;
      if (d) byLayer.set(fq.attrs.quantizes, (byLayer.get(fq.attrs.quantizes) ?? 0) + d);
    }
  }
  diff.worst = [...byLayer].sort((p, q) => q[1] - p[1]).slice(0, 3);
  return diff;
}

export function summary(d: LayerDiff): string {
  return `${d.differing}/${d.compared} differ${d.worst.length ? ` (most in ${d.worst.map(([n, c]) => `${n}: ${c}`).join(', ')})` : ''}`;
}

