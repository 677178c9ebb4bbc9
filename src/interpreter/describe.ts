// What `qat inspect` shows: the inputs explained first (dtype, shape, bytes,
// scale, zero point, mean/std — everything needed to feed the model), then
// the ops in order with their tensors, then every tensor. As text, as a
// JSON-able object, or as a self-contained HTML page with the graph drawn.

import type { OperatorOptions } from '../tflite/options.js';
import { graphSvg, type GraphEdge, type GraphNode } from '../report/graph.js';
import { page, table } from '../report/html.js';
import { type TensorDetails, describeTensor, num, quantizeHint, shapeText } from './details.js';
import type { Interpreter } from './interpreter.js';

export interface OperatorSummary {
  index: number;
  op: string;
  version: number;
  /** Short options text, e.g. "3×3 stride 2 SAME, RELU6". */
  options: string;
  inputs: Array<{ index: number; name: string } | null>;
  outputs: Array<{ index: number; name: string }>;
}

export interface ModelSummary {
  description: string;
  inputs: TensorDetails[];
  outputs: TensorDetails[];
  operators: OperatorSummary[];
  tensors: TensorDetails[];
  arenaBytes: number;
  scratchBytes: number;
  workPerInvoke: number;
}

export function optionsText(o: OperatorOptions): string {
  const parts: string[] = [];
  const act = (a: string): void => {
    if (a !== 'NONE') parts.push(a);
  };
  switch (o.op) {
    case 'CONV_2D':
    case 'DEPTHWISE_CONV_2D':
      parts.push(`stride ${o.strideH}×${o.strideW} ${o.padding}`);
      if (o.dilationHFactor !== 1 || o.dilationWFactor !== 1) parts.push(`dilation ${o.dilationHFactor}×${o.dilationWFactor}`);
      if (o.op === 'DEPTHWISE_CONV_2D') parts.push(`multiplier ${o.depthMultiplier}`);
      act(o.fusedActivation);
      break;
    case 'MAX_POOL_2D':
    case 'AVERAGE_POOL_2D':
      parts.push(`${o.filterHeight}×${o.filterWidth} stride ${o.strideH}×${o.strideW} ${o.padding}`);
      act(o.fusedActivation);
      break;
    case 'FULLY_CONNECTED':
      if (o.keepNumDims) parts.push('keep_num_dims');
      act(o.fusedActivation);
      break;
    case 'ADD':
    case 'SUB':
    case 'MUL':
      act(o.fusedActivation);
      break;
    case 'CONCATENATION':
      parts.push(`axis ${o.axis}`);
      act(o.fusedActivation);
      break;
    case 'SOFTMAX':
      if (o.beta !== 1) parts.push(`beta ${num(o.beta)}`);
      break;
    case 'MEAN':
    case 'REDUCE_MAX':
      if (o.keepDims) parts.push('keep_dims');
      break;
    case 'LEAKY_RELU':
      parts.push(`alpha ${num(o.alpha)}`);
      break;
    case 'SQUEEZE':
      if (o.squeezeDims.length) parts.push(`dims [${o.squeezeDims.join(',')}]`);
      break;
    case 'RESHAPE':
      if (o.newShape) parts.push(`to ${shapeText(o.newShape)}`);
      break;
    case 'TRANSPOSE_CONV':
      parts.push(`stride ${o.strideH}×${o.strideW} ${o.padding}`);
      act(o.fusedActivation);
      break;
    case 'RESIZE_BILINEAR':
    case 'RESIZE_NEAREST_NEIGHBOR':
      if (o.alignCorners) parts.push('align_corners');
      if (o.halfPixelCenters) parts.push('half_pixel_centers');
      break;
    case 'MIRROR_PAD':
      parts.push(o.mode);
      break;
    case 'STRIDED_SLICE': {
      const masks: Array<[string, number]> = [
        ['begin_mask', o.beginMask], ['end_mask', o.endMask], ['ellipsis_mask', o.ellipsisMask],
        ['new_axis_mask', o.newAxisMask], ['shrink_axis_mask', o.shrinkAxisMask],
      ];
      for (const [name, m] of masks) if (m) parts.push(`${name} ${m}`);
      if (o.offset) parts.push('offset');
      break;
    }
    default:
      break;
  }
  return parts.join(', ');
}

export function summarize(interp: Interpreter): ModelSummary {
  const name = (i: number): { index: number; name: string } => ({ index: i, name: interp.tensor(i).name });
  const strip = ({ data: _data, ...d }: ReturnType<Interpreter['tensor']>): TensorDetails => d;
  return {
    description: interp.model.description,
    inputs: interp.inputDetails(),
    outputs: interp.outputDetails(),
    operators: interp.operators().map((o) => ({
      index: o.index, op: o.op, version: o.version, options: optionsText(o.options),
      inputs: o.inputs.map((i) => (i < 0 ? null : name(i))), outputs: o.outputs.map(name),
    })),
    tensors: interp.tensorIndices().map((i) => strip(interp.tensor(i))),
    arenaBytes: interp.arenaBytes,
    scratchBytes: interp.scratchBytes,
    workPerInvoke: interp.workPerInvoke,
  };
}

function feedHint(d: TensorDetails): string {
  if (d.dtype === 'float32') return '    feed float32 values as they are (raw little-endian float32 bytes for a .bin file)';
  if (d.scale === null) return `    feed ${d.dtype} values`;
  return `    feed ${d.dtype} codes: ${quantizeHint(d)}; a --mean/--std preprocessing of (x − mean)/std maps to the same grid`;
}

export function inspectText(s: ModelSummary): string {
  const lines: string[] = [];
  s.inputs.forEach((d, i) => {
    lines.push(`input ${i} ${JSON.stringify(d.name)}: ${describeTensor(d)}`);
    lines.push(feedHint(d));
  });
  s.outputs.forEach((d, i) => lines.push(`output ${i} ${JSON.stringify(d.name)}: ${describeTensor(d)}`));
  lines.push('');
  lines.push(`operators (${s.operators.length}), in execution order:`);
  const ref = (t: { index: number; name: string } | null): string => (t ? `${t.name}#${t.index}` : '-');
  for (const o of s.operators) {
    const opts = o.options ? ` (${o.options})` : '';
    lines.push(`  ${String(o.index).padStart(3)} ${o.op} v${o.version}${opts}: ${o.inputs.map(ref).join(', ')} → ${o.outputs.map(ref).join(', ')}`);
  }
  lines.push('');
  lines.push(`tensors (${s.tensors.length}); arena ${s.arenaBytes} bytes + ${s.scratchBytes} bytes of kernel scratch; ~${s.workPerInvoke} multiply-adds per run:`);
  for (const t of s.tensors) {
    lines.push(`  ${String(t.index).padStart(3)} ${t.name}${t.constant ? ' (constant)' : ''}${t.storedAs ? ` (stored ${t.storedAs}, held unpacked)` : ''}: ${describeTensor({ ...t, mean: undefined, std: undefined } as TensorDetails)}`);
  }
  return lines.join('\n');
}

function quantCells(t: TensorDetails): [string, string] {
  if (t.scale !== null && t.zeroPoint !== null) return [num(t.scale), String(t.zeroPoint)];
  if (t.scales) return [`${t.scales.length} per-channel (axis ${t.quantizedDimension ?? 0})`, '0'];
  return ['', ''];
}

export function inspectHtml(s: ModelSummary, title: string): string {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const producer = new Map<number, string>();
  s.inputs.forEach((d, i) => {
    const id = `in${i}`;
    nodes.push({ id, title: `input ${i}: ${d.name}`, lines: [`${d.dtype} ${shapeText(d.shape)}`, ...(d.scale !== null ? [`scale ${num(d.scale)} zp ${d.zeroPoint}`] : [])], kind: 'input' });
    producer.set(d.index, id);
  });
  const constant = new Set(s.tensors.filter((t) => t.constant).map((t) => t.index));
  const byIndex = new Map(s.tensors.map((t) => [t.index, t]));
  for (const o of s.operators) {
    const id = `op${o.index}`;
    const consts = o.inputs.filter((t) => t && constant.has(t.index)).map((t) => {
      const d = byIndex.get(t!.index)!;
      return `${d.storedAs ?? d.dtype} ${shapeText(d.shape)}`;
    });
    nodes.push({ id, title: `${o.index} ${o.op}`, lines: [...(o.options ? [o.options] : []), ...consts.map((c) => `const ${c}`)], kind: 'op' });
    for (const t of o.inputs) {
      const from = t ? producer.get(t.index) : undefined;
      if (t && from) {
        const d = byIndex.get(t.index)!;
        edges.push({ from, to: id, label: `${d.dtype} ${shapeText(d.shape)}` });
      }
    }
    for (const t of o.outputs) producer.set(t.index, id);
  }
  s.outputs.forEach((d, i) => {
    const id = `out${i}`;
    nodes.push({ id, title: `output ${i}: ${d.name}`, lines: [`${d.dtype} ${shapeText(d.shape)}`, ...(d.scale !== null ? [`scale ${num(d.scale)} zp ${d.zeroPoint}`] : [])], kind: 'output' });
    const from = producer.get(d.index);
    if (from) edges.push({ from, to: id, label: d.name });
  });
  const ioRows = [...s.inputs.map((d, i) => ({ d, k: `input ${i}` })), ...s.outputs.map((d, i) => ({ d, k: `output ${i}` }))].map(({ d, k }) => [
    k, d.name, d.dtype, shapeText(d.shape), d.bytes, ...quantCells(d), d.mean !== undefined ? num(d.mean) : '', d.std !== undefined ? num(d.std) : '',
  ]);
  const opRows = s.operators.map((o) => [
    o.index, `${o.op} v${o.version}`, o.options, o.inputs.map((t) => (t ? `${t.name}#${t.index}` : '-')).join(', '),
    o.outputs.map((t) => `${t.name}#${t.index}`).join(', '),
  ]);
  const tensorRows = s.tensors.map((t) => [t.index, t.name, t.constant ? 'constant' : '', t.storedAs ?? t.dtype, shapeText(t.shape), t.bytes, ...quantCells(t)]);
  const body = [
    '<h2>Inputs and outputs</h2>',
    '<p>For quantized tensors real = (q − mean)/std, i.e. mean = zero point and std = 1/scale.</p>',
    table(['', 'name', 'dtype', 'shape', 'bytes', 'scale', 'zero point', 'mean', 'std'], ioRows, [false, false, false, false, true, true, true, true, true]),
    '<h2>Graph</h2>',
    `<div style="overflow:auto">${graphSvg(nodes, edges)}</div>`,
    '<h2>Operators</h2>',
    table(['#', 'op', 'options', 'inputs', 'outputs'], opRows, [true]),
    '<h2>Tensors</h2>',
    table(['#', 'name', '', 'dtype', 'shape', 'bytes', 'scale', 'zero point'], tensorRows, [true, false, false, false, false, true, true, true]),
  ].join('\n');
  const subtitle = `${s.operators.length} operators, ${s.tensors.length} tensors, arena ${s.arenaBytes} bytes${s.description ? ` — ${s.description}` : ''}`;
  return page(title, subtitle, body);
}
