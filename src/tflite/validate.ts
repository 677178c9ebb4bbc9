// Cross-reference checks on a TfliteModel: every index points at something,
// constant buffers match their tensor's shape, quantization parameters are
// consistent. Kernel-specific rules (supported ops and dtypes, per-op shapes)
// belong to the interpreter; this is what any consumer of the file needs.

import { UserError } from '../errors.js';
import { builtinOperatorName, tensorBufferBytes } from './enums.js';
import type { TfliteModel, TfliteSubGraph, TfliteTensor } from './model.js';

/** Element counts above this are rejected before anyone allocates for them. */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;

function invalid(detail: string): UserError {
  return new UserError(`The model is invalid: ${detail}.`);
}

export function tensorLabel(g: TfliteSubGraph, index: number, subgraphIndex = 0): string {
  const t = g.tensors[index];
  const name = t ? ` ${JSON.stringify(t.name)}` : '';
  return subgraphIndex === 0 ? `tensor ${index}${name}` : `tensor ${index}${name} of subgraph ${subgraphIndex}`;
}

/** Number of elements of a shape, or an error naming the tensor for a bad one. */
export function elementCount(t: TfliteTensor, label: string): number {
  let n = 1;
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d < 0) throw invalid(`${label} has a bad dimension ${d} in shape [${t.shape.join(',')}]`);
    n *= d;
  }
  if (n > MAX_TENSOR_ELEMENTS) {
    throw invalid(`${label} has ${n} elements (shape [${t.shape.join(',')}]), more than the ${MAX_TENSOR_ELEMENTS} allowed`);
  }
  return n;
}

export function validateModel(model: TfliteModel): void {
  if (model.subgraphs.length === 0) throw invalid('it has no subgraphs');
  if (model.buffers.length === 0) throw invalid('it has no buffers (buffer 0 must exist and be empty)');
  model.operatorCodes.forEach((c, i) => {
    if (!Number.isInteger(c.version) || c.version < 1) {
      throw invalid(`operator code ${i} (${builtinOperatorName(c.builtinCode)}) has version ${c.version}`);
    }
  });
  model.subgraphs.forEach((g, gi) => validateSubGraph(model, g, gi));
  model.metadata.forEach((m) => {
    if (m.buffer >= model.buffers.length) throw invalid(`metadata ${JSON.stringify(m.name)} refers to missing buffer ${m.buffer}`);
  });
  for (const s of model.signatureDefs) {
    const g = model.subgraphs[s.subgraphIndex];
    const label = `signature ${JSON.stringify(s.signatureKey)}`;
    if (!g) throw invalid(`${label} refers to missing subgraph ${s.subgraphIndex}`);
    for (const m of [...s.inputs, ...s.outputs]) {
      if (m.tensorIndex >= g.tensors.length) throw invalid(`${label} maps ${JSON.stringify(m.name)} to missing tensor ${m.tensorIndex}`);
    }
  }
}

function validateSubGraph(model: TfliteModel, g: TfliteSubGraph, gi: number): void {
  const n = g.tensors.length;
  const label = (i: number): string => tensorLabel(g, i, gi);
  g.tensors.forEach((t, i) => {
    const count = elementCount(t, label(i));
    if (t.buffer >= model.buffers.length) throw invalid(`${label(i)} refers to missing buffer ${t.buffer}`);
    const data = model.buffers[t.buffer]!;
    const bytes = tensorBufferBytes(t.type, count);
    if (data.length > 0 && bytes !== null && data.length !== bytes) {
      throw invalid(`${label(i)} is ${t.type} [${t.shape.join(',')}] = ${bytes} bytes but its buffer ${t.buffer} holds ${data.length}`);
    }
    const q = t.quantization;
    if (!q || (q.scale.length === 0 && q.zeroPoint.length === 0)) return;
    if (q.scale.length !== q.zeroPoint.length) {
      throw invalid(`${label(i)} has ${q.scale.length} scales but ${q.zeroPoint.length} zero points`);
    }
    for (const s of q.scale) {
      if (!Number.isFinite(s) || s <= 0) throw invalid(`${label(i)} has quantization scale ${s}; scales must be positive`);
    }
    if (q.scale.length > 1) {
      const dim = q.quantizedDimension;
      if (!(dim >= 0 && dim < t.shape.length)) {
        throw invalid(`${label(i)} is quantized along dimension ${dim}, which its shape [${t.shape.join(',')}] lacks`);
      }
      if (t.shape[dim] !== q.scale.length) {
        throw invalid(`${label(i)} has ${q.scale.length} per-channel scales but ${t.shape[dim]} channels along dimension ${dim}`);
      }
    }
  });
  const checkIndex = (idx: number, what: string, optional: boolean): void => {
    if (optional && idx === -1) return;
    if (!Number.isInteger(idx) || idx < 0 || idx >= n) throw invalid(`${what} refers to missing tensor ${idx}`);
  };
  const where = gi === 0 ? '' : ` of subgraph ${gi}`;
  g.inputs.forEach((idx, k) => checkIndex(idx, `input ${k}${where}`, false));
  g.outputs.forEach((idx, k) => checkIndex(idx, `output ${k}${where}`, false));
  g.operators.forEach((op, oi) => {
    const code = model.operatorCodes[op.opcodeIndex];
    if (!code) throw invalid(`operator ${oi}${where} uses missing operator code ${op.opcodeIndex}`);
    const what = `operator ${oi}${where} (${builtinOperatorName(code.builtinCode)})`;
    op.inputs.forEach((idx, k) => checkIndex(idx, `input ${k} of ${what}`, true));
    op.outputs.forEach((idx, k) => checkIndex(idx, `output ${k} of ${what}`, false));
  });
}
