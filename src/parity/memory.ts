// Parity without files or LiteRT: a model's eval graph against its exported
// .tflite in the bundled interpreter, on images held in memory. This is what
// a web page (or a caller's own loop) checks after toTflite; runParity does
// the same for a run directory and adds LiteRT.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.js';
import { Interpreter, type TensorData } from '../interpreter/index.js';
import type { EvalGraph } from '../../train/graph/build.js';
import { outputComparison } from './compare-outputs.js';
import { feedFor, probes } from './probes.js';
import { worstFirst, type LayerParity } from './stats.js';

export interface LayerParityOptions {
  /** The reference: QatModel.evalGraph() of the model that was exported. */
  evalGraph: EvalGraph;
  /** The exported .tflite bytes. */
  model: Uint8Array;
  /** count × the eval graph's input shape, NHWC float32 (what apply / evalGraph take). */
  images: Float32Array;
  count: number;
  /** Eval-graph batch size (default 32). */
  batchSize?: number;
}

export interface LayerParityResult {
  count: number;
  /** Fraction of inputs whose top class is the same in the eval graph and the interpreter. */
  agreement: number;
  /** Every quantized layer, worst first, in LSBs of its own int8 grid. */
  layers: LayerParity[];
  /** Quantized layers of the eval graph with no integer tensor of that name in the model. */
  unmatched: string[];
  /** What the interpreter was fed, per input (the eval graph's input codes). */
  inputs: TensorData[];
  /** The interpreter's first output, per input, as the model returns it (int8 codes for an int8 output). */
  outputs: TensorData[];
}

/** Runs both sides on every image and compares each quantized layer's output and the top class. */
export async function layerParity(o: LayerParityOptions): Promise<LayerParityResult> {
  const interp = Interpreter.fromBuffer(o.model);
  const inDetails = interp.inputDetails()[0];
  if (!inDetails || interp.inputDetails().length !== 1) throw new UserError(`the model has ${interp.inputDetails().length} inputs; layer parity compares single-input models`);
  const inputShape = o.evalGraph.ir.shapes.get(o.evalGraph.ir.inputs[0]!)!;
  const per = inputShape.reduce((x, y) => x * y, 1);
  if (!(Number.isInteger(o.count) && o.count > 0) || o.images.length !== o.count * per) {
    throw new UserError(`layer parity needs count × ${inputShape.join('×')} image values; got ${o.images.length} values for count ${o.count}`);
  }
  const batchSize = o.batchSize ?? 32;
  const feed = feedFor(inDetails);
  const { layers, unmatched, inputFq } = probes(o.evalGraph, interp);
  const outputName = o.evalGraph.ir.graph.outputs[0]!;
  const outShape = o.evalGraph.ir.shapes.get(outputName)!;
  const outPer = outShape.reduce((x, y) => x * y, 1);
  const compare = outputComparison('classify', outShape[outShape.length - 1]!, interp.outputDetails()[0]!);
  const inputs: TensorData[] = [];
  const outputs: TensorData[] = [];
  let agree = 0;
  for (let start = 0; start < o.count; start += batchSize) {
    const n = Math.min(batchSize, o.count - start);
    const wanted = [outputName, ...layers.map((l) => l.stats.node), ...(inputFq ? [inputFq] : [])];
    const host = new Map<string, Float32Array>();
    const x = tf.tensor4d(o.images.subarray(start * per, (start + n) * per), [n, ...inputShape] as [number, number, number, number]);
    const all = o.evalGraph.runAll(x);
    x.dispose();
    try {
      for (const name of wanted) host.set(name, (await all.get(name)!.data()) as Float32Array);
    } finally {
      for (const t of all.values()) t.dispose();
    }
    const inputQ = inputFq ? host.get(inputFq)! : null;
    for (let k = 0; k < n; k++) {
      const input = feed(o.images.subarray((start + k) * per, (start + k + 1) * per), inputQ ? inputQ.subarray(k * per, (k + 1) * per) : null);
      interp.setInput(0, input);
      interp.invoke();
      const out = interp.output(0);
      agree += compare.agreeing(compare.codes(host.get(outputName)!.subarray(k * outPer, (k + 1) * outPer)), out as ArrayLike<number>);
      for (const l of layers) l.stats.add(host.get(l.stats.node)!.subarray(k * l.per, (k + 1) * l.per), l.view.data as ArrayLike<number>);
      inputs.push(input);
      outputs.push(out.slice());
    }
  }
  return { count: o.count, agreement: agree / o.count, layers: layers.map((l) => l.stats.result()).sort(worstFirst), unmatched, inputs, outputs };
}
