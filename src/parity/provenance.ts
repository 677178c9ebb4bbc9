// Whether a .tflite file was exported from a given run. Parity between a run
// and some other model is meaningless, and its symptom — low agreement —
// would otherwise be blamed on the threshold. The run is exported again in
// memory and the constant tensors the two files share by name and type are
// compared byte for byte (export is deterministic).
import { UserError } from '../errors.js';
import { exportRun } from '../run/export.js';
import { builtinOperatorName } from '../tflite/enums.js';
import { readModel } from '../tflite/read.js';
import type { TfliteModel } from '../tflite/model.js';

/** Constant tensors of subgraph 0 by name, with their type and bytes. */
function constants(m: TfliteModel): Map<string, { type: string; data: Uint8Array }> {
  const out = new Map<string, { type: string; data: Uint8Array }>();
  for (const t of m.subgraphs[0]?.tensors ?? []) {
    const data = m.buffers[t.buffer];
    if (data && data.length > 0) out.set(t.name, { type: String(t.type), data });
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Integer activations (int8/uint8 input, or a QUANTIZE at the input): the int8 export's form, not a dynamic-range one. */
function isIntegerModel(m: TfliteModel): boolean {
  const g = m.subgraphs[0];
  if (!g) return false;
  const inputType = g.tensors[g.inputs[0] ?? -1]?.type;
  return inputType === 'INT8' || inputType === 'UINT8' || m.operatorCodes.some((c) => builtinOperatorName(c.builtinCode) === 'QUANTIZE');
}

/**
 * Throws one sentence when `bytes` cannot be the run's export: a constant of
 * the same name and type holds other values, or the file shares no constant
 * name with the run's export at all. `quantized`: the run has trained
 * ranges (compared with its int8 export; a dynamic-range file of it is not
 * checked); otherwise with its float export.
 */
export function checkExportedFromRun(bytes: Uint8Array, modelName: string, runDir: string, quantized: boolean): void {
  const model = readModel(bytes);
  if (quantized && !isIntegerModel(model)) return;
  const mine = constants(model);
  const theirs = constants(readModel(exportRun(runDir, { mode: quantized ? 'int8' : 'float' }).bytes));
  let shared = 0;
  for (const [name, t] of mine) {
    const r = theirs.get(name);
    if (!r) continue;
    shared++;
    if (r.type === t.type && !sameBytes(r.data, t.data)) {
      throw new UserError(`${modelName} was not exported from ${runDir}: its tensor '${name}' holds other values than the run's; export it with qat export --run ${runDir}`);
    }
  }
  if (shared === 0 && theirs.size > 0) {
    throw new UserError(`${modelName} was not exported from ${runDir}: it has none of the run's weight tensors; export it with qat export --run ${runDir}`);
  }
}
