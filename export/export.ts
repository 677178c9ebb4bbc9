// Entry point: a graph and its parameters → .tflite bytes and a summary
// (src/run opens a run directory and calls it). The mode decides the lowering; the I/O types decide the edges.

import { analyze, type AnalyzedGraph } from '../src/ir/analyze.js';
import type { Graph } from '../src/ir/types.js';
import { UserError } from '../src/errors.js';
import type { ParamLookup } from '../quantize/fold.js';
import { batched, Emitter } from './emitter.js';
import { emitInput, emitOutput, type Edge } from './edges.js';
import { isQuantizedGraph } from '../quantize/op-table.js';
import { lowerFloat } from './lower-float.js';
import { lowerInt8, inputQuant, qatWeightedLayer, type FloatLayerCost } from './lower-int8.js';
import { EXPORT_MODES, IO_TYPES, type DynamicConvWeights, type ExportOptions, type ExportResult, type ExportMode, type IoType } from './types.js';

/** Whether a graph went through the QAT rewrite (the op table's QAT ops). */
export function isQatGraph(g: Graph | AnalyzedGraph): boolean {
  return isQuantizedGraph('order' in g ? g.graph : g);
}

interface CheckedOptions {
  mode: ExportMode;
  inputType: IoType;
  outputType: IoType;
}

/** Checks what can be checked before the run is loaded. */
export function checkExportOptions(o: ExportOptions): CheckedOptions {
  const mode = o.mode ?? 'int8';
  if (!EXPORT_MODES.includes(mode)) throw new UserError(`unknown export mode '${String(mode)}'; choose one of ${EXPORT_MODES.join(', ')}`);
  for (const [flag, v] of [['--input-type', o.inputType], ['--output-type', o.outputType]] as const) {
    if (v !== undefined && !IO_TYPES.includes(v)) throw new UserError(`unknown ${flag} '${String(v)}'; choose one of ${IO_TYPES.join(', ')}`);
  }
  const dflt: IoType = mode === 'int8' ? 'int8' : 'float32';
  const inputType = o.inputType ?? dflt;
  const outputType = o.outputType ?? dflt;
  if (mode !== 'int8' && (inputType !== 'float32' || outputType !== 'float32')) {
    throw new UserError(`--mode ${mode} models compute in float, so their input and output are float32; integer I/O needs --mode int8`);
  }
  return { mode, inputType, outputType };
}

function checkModelFitsMode(mode: ExportMode, qat: boolean, model: string): void {
  if (mode === 'int8' && !qat) {
    throw new UserError(`model '${model}' is a float run with no trained quantization ranges, so it cannot be exported as int8; train it with --quantize (or run qat calibrate), or export it with --mode float or --mode dynamic`);
  }
}

function describe(model: string, mode: ExportMode, qat: boolean): string {
  const what = mode === 'int8' ? 'fully integer int8' : mode === 'dynamic' ? 'dynamic-range (int8 weights, float activations)' : 'float32';
  return `${model}: ${what} TFLite model exported by qat from a ${qat ? 'quantization-aware trained (QAT)' : 'float-trained'} run`;
}

/** The name callers see for an output: the layer a final fake-quant quantizes (`logits`, not `logits/fq`). */
function outputAlias(a: AnalyzedGraph, name: string): string {
  const node = a.order.find((n) => n.name === name);
  return node?.op === 'fakeQuant' ? node.attrs.quantizes : name;
}

const DYNAMIC_CONV_NOTE: Record<DynamicConvWeights, string> = {
  float: 'stay float32',
  dequantize: 'are int8 expanded by DEQUANTIZE',
  hybrid: 'are int8 in hybrid ops (input quantized per batch at run time)',
};

function floatLayersNote(layers: FloatLayerCost[]): string {
  const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
  const total = layers.reduce((s, l) => s + l.extraBytes, 0);
  const each = layers.map((l) => `${l.name} (${l.builtin}, +${kib(l.extraBytes)})`).join(', ');
  const cost = layers.length > 1 ? `; ${kib(total)} in all` : '';
  return `left float (int8 input DEQUANTIZEd, output QUANTIZEd where an int8 op follows), float32 weights cost more than int8: ${each}${cost}`;
}

/** Lowers `ir` with the variables `store` looks up to a TFLite model. */
export function exportGraph(ir: Graph | AnalyzedGraph, store: ParamLookup, options: ExportOptions = {}): ExportResult {
  const a = 'order' in ir ? ir : analyze(ir);
  const model = a.graph.name;
  const qat = isQatGraph(a);
  const { mode, inputType, outputType } = checkExportOptions(options);
  checkModelFitsMode(mode, qat, model);
  if (a.inputs.length !== 1) throw new UserError(`model '${model}' has ${a.inputs.length} inputs; export handles one`);
  const e = new Emitter();
  const notes: string[] = [];
  const inputs: Edge[] = a.inputs.map((name) => {
    const shape = batched(a.shapes.get(name)!);
    return emitInput(e, name, shape, inputType, mode === 'int8' ? inputQuant(a, store, name) : null).edge;
  });
  if (mode === 'int8') {
    const floatLayers = lowerInt8(a, store, e);
    if (floatLayers.length > 0) notes.push(floatLayersNote(floatLayers));
    if (e.int4Constants > 0) {
      notes.push(`${e.int4Constants} layers have 4-bit weights, stored INT4 (two per byte); LiteRT and TFLite 2.11+ run them`);
    }
  } else {
    const dynamicConvWeights = options.dynamicConvWeights ?? 'float';
    lowerFloat(a, store, e, { mode, dynamicConvWeights, qatWeighted: qat ? (n) => qatWeightedLayer(n, store) : null });
    if (mode === 'dynamic') {
      notes.push(`dynamic mode: FULLY_CONNECTED weights are int8 (hybrid op); conv and depthwise weights ${DYNAMIC_CONV_NOTE[dynamicConvWeights]}`);
    }
  }
  const outputs = a.graph.outputs.map((name) => {
    const alias = outputAlias(a, name);
    const value = e.value(name);
    if (value.type !== 'FLOAT32' || outputType === 'float32') return emitOutput(e, alias, value, outputType);
    // A layer left float computes the output: it can only leave the model as float.
    if (options.outputType !== undefined) {
      throw new UserError(`output '${alias}' comes from a layer left float, so it cannot be ${outputType}; export with --output-type float32 or quantize that layer`);
    }
    notes.push(`output '${alias}' is float32: the layer computing it stays float`);
    return emitOutput(e, alias, value, 'float32');
  });
  const { bytes } = e.finish(inputs, outputs, options.description ?? describe(model, mode, qat));
  return {
    bytes,
    summary: {
      model, mode, bytes: bytes.length, ops: e.opSummary(),
      inputs: inputs.map((i) => i.summary), outputs: outputs.map((o) => o.summary), notes,
    },
  };
}
