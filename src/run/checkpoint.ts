// A run's checkpoint (the files are named in layout.ts).
// weights.bin is every store variable back to back, little-endian 4-byte
// values. index.json is written last and records the size and CRC-32 of the
// other files, so a truncated copy or a mix of two saves is detected instead
// of silently loaded; a save becomes current as a whole (commit.ts), so a
// kill mid-save leaves the previous checkpoint in place.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { UserError } from '../errors.js';
import { writeFileDurable } from '../io/atomic.js';
import { analyze } from '../ir/analyze.js';
import { graphFromJSON, graphToJSON } from '../ir/json.js';
import type { Graph } from '../ir/types.js';
import { initialValues } from '../../train/init.js';
import { MODEL_KINDS, STEP_NAME, VariableStore, checkNamesMatch, type VariableKind } from '../../train/state.js';
import { parseRunConfig, type RunConfig } from './config.js';
import { commitCheckpoint, firstSaveInterrupted, readableCheckpointDir } from './commit.js';
import { CHECKPOINT_FILES as FILES, CHECKPOINT_METRICS_FILE, checkpointIndexPath } from './layout.js';
import { parseMetrics, type RunMetrics } from './metrics.js';

export const CHECKPOINT_FORMAT = 'qat-checkpoint';
export const CHECKPOINT_VERSION = 1;
const KINDS: readonly VariableKind[] = ['weight', 'stat', 'range', 'counter', 'slot'];

export interface CheckpointEntry {
  name: string;
  kind: VariableKind;
  dtype: 'float32' | 'int32';
  shape: number[];
  /** Byte offset in weights.bin. */
  offset: number;
  byteLength: number;
}

interface CheckpointIndex {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  files: Record<string, { bytes: number; crc32: number }>;
  entries: CheckpointEntry[];
}

export interface CheckpointTensor {
  kind: VariableKind;
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface Checkpoint {
  dir: string;
  ir: Graph;
  config: RunConfig;
  tensors: Map<string, CheckpointTensor>;
  /** The run's metrics as of this checkpoint; absent in checkpoints saved before they carried a copy. */
  metrics?: RunMetrics;
}

function encode(entries: CheckpointEntry[], values: Array<Float32Array | Int32Array>): Uint8Array {
  const total = entries.reduce((s, e) => s + e.byteLength, 0);
  const buf = new ArrayBuffer(total);
  const view = new DataView(buf);
  entries.forEach((e, i) => {
    const v = values[i];
    for (let k = 0; k < v.length; k++) {
      if (e.dtype === 'int32') view.setInt32(e.offset + 4 * k, v[k], true);
      else view.setFloat32(e.offset + 4 * k, v[k], true);
    }
  });
  return new Uint8Array(buf);
}

/**
 * Writes the whole store (model variables, optimizer slots, step) with the
 * IR, run config and (when given) the run's metrics, and makes it the run's
 * checkpoint in one step.
 */
export function saveCheckpoint(runDir: string, ir: Graph, config: RunConfig, store: VariableStore, metrics?: RunMetrics): string {
  const entries: CheckpointEntry[] = [];
  const values: Array<Float32Array | Int32Array> = [];
  let offset = 0;
  for (const e of store.list()) {
    const dtype = e.variable.dtype === 'int32' ? 'int32' : 'float32';
    const data = e.variable.dataSync() as Float32Array | Int32Array;
    entries.push({ name: e.name, kind: e.kind, dtype, shape: [...e.variable.shape], offset, byteLength: data.length * 4 });
    values.push(data);
    offset += data.length * 4;
  }
  const contents: Array<[string, Uint8Array]> = [
    [FILES.weights, encode(entries, values)],
    [FILES.ir, Buffer.from(graphToJSON(ir), 'utf8')],
    [FILES.config, Buffer.from(JSON.stringify(config, null, 1), 'utf8')],
  ];
  if (metrics) contents.push([CHECKPOINT_METRICS_FILE, Buffer.from(JSON.stringify(metrics, null, 1), 'utf8')]);
  const index: CheckpointIndex = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, files: {}, entries };
  return commitCheckpoint(runDir, (dir) => {
    for (const [name, bytes] of contents) {
      writeFileDurable(join(dir, name), bytes);
      index.files[name] = { bytes: bytes.length, crc32: crc32(bytes) };
    }
    writeFileDurable(join(dir, FILES.index), JSON.stringify(index, null, 1));
  });
}

/** Accepts a run directory or its checkpoint directory. */
function locate(path: string): string {
  const p = resolve(path);
  if (!existsSync(p)) throw new UserError(`no run directory at ${path}`);
  if (!statSync(p).isDirectory()) throw new UserError(`${path} is not a directory; pass a run directory written by qat train`);
  const dir = readableCheckpointDir(p);
  if (dir) return dir;
  if (existsSync(join(p, FILES.index))) return p;
  if (firstSaveInterrupted(p)) {
    throw new UserError(`${path} holds no finished checkpoint: its first save was interrupted; start it again with the same qat train --out command`);
  }
  throw new UserError(`${path} holds no checkpoint (expected ${checkpointIndexPath(path)})`);
}

function readChecked(dir: string, name: string, index: CheckpointIndex): Buffer {
  const path = join(dir, name);
  const want = index.files[name];
  if (!want || !Number.isInteger(want.bytes)) throw new UserError(`${join(dir, FILES.index)} does not describe ${name}; the checkpoint is corrupt`);
  if (!existsSync(path)) throw new UserError(`the checkpoint lacks ${path}`);
  const bytes = readFileSync(path);
  if (bytes.length !== want.bytes) {
    throw new UserError(`${path} is ${bytes.length < want.bytes ? 'truncated' : 'longer than recorded'}: ${bytes.length} of ${want.bytes} bytes`);
  }
  if (crc32(bytes) !== want.crc32) throw new UserError(`${path} does not match its checksum in index.json (corrupt or partially written)`);
  return bytes;
}

function parseIndex(text: string, source: string): CheckpointIndex {
  let o: Partial<CheckpointIndex>;
  try {
    o = JSON.parse(text) as Partial<CheckpointIndex>;
  } catch {
    throw new UserError(`${source} is not valid JSON (truncated, or not a qat checkpoint)`);
  }
  if (typeof o !== 'object' || o === null || o.format !== CHECKPOINT_FORMAT) throw new UserError(`${source} is not a qat checkpoint index`);
  if (o.version !== CHECKPOINT_VERSION) throw new UserError(`${source} has checkpoint version ${String(o.version)}; this qat reads version ${CHECKPOINT_VERSION}`);
  if (!Array.isArray(o.entries) || typeof o.files !== 'object' || o.files === null) throw new UserError(`${source} lacks its entries or file list`);
  return o as CheckpointIndex;
}

/** Reads and verifies a checkpoint; every problem is a UserError naming the file. */
export function loadCheckpoint(runDir: string): Checkpoint {
  const dir = locate(runDir);
  const indexPath = join(dir, FILES.index);
  const index = parseIndex(readFileSync(indexPath, 'utf8'), indexPath);
  const weights = readChecked(dir, FILES.weights, index);
  const ir = graphFromJSON(readChecked(dir, FILES.ir, index).toString('utf8'), join(dir, FILES.ir));
  const config = parseRunConfig(readChecked(dir, FILES.config, index).toString('utf8'), join(dir, FILES.config));
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  const tensors = new Map<string, CheckpointTensor>();
  for (const e of index.entries) {
    const count = Array.isArray(e.shape) ? e.shape.reduce((a, b) => a * b, 1) : NaN;
    const sane = typeof e.name === 'string' && KINDS.includes(e.kind) && (e.dtype === 'float32' || e.dtype === 'int32')
      && Number.isInteger(count) && e.byteLength === count * 4 && Number.isInteger(e.offset) && e.offset >= 0
      && e.offset + e.byteLength <= weights.length;
    if (!sane) throw new UserError(`${indexPath} has a malformed entry ${JSON.stringify(e.name)}; the checkpoint is corrupt`);
    if (tensors.has(e.name)) throw new UserError(`${indexPath} lists '${e.name}' twice; the checkpoint is corrupt`);
    const data = e.dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
    for (let k = 0; k < count; k++) data[k] = e.dtype === 'int32' ? view.getInt32(e.offset + 4 * k, true) : view.getFloat32(e.offset + 4 * k, true);
    if (MODEL_KINDS.includes(e.kind) && !data.every(Number.isFinite)) {
      throw new UserError(`the checkpoint in ${dir} holds non-finite values in '${e.name}' (training diverged before it was saved); retrain with a smaller --lr`);
    }
    tensors.set(e.name, { kind: e.kind, dtype: e.dtype, shape: e.shape, data });
  }
  const metricsFile = index.files[CHECKPOINT_METRICS_FILE] ? join(dir, CHECKPOINT_METRICS_FILE) : null;
  const metrics = metricsFile ? parseMetrics(readChecked(dir, CHECKPOINT_METRICS_FILE, index).toString('utf8'), metricsFile) : undefined;
  return { dir, ir, config, tensors, ...(metrics ? { metrics } : {}) };
}

export interface RestoreOptions {
  /** Also restore optimizer slots (resuming training). Default false: model only. */
  includeOptimizer?: boolean;
  /** The graph to restore into; defaults to the checkpoint's own IR. */
  ir?: Graph;
  /**
   * Variable kinds the checkpoint may lack; they start from their initial
   * values (a float checkpoint restored into a QAT graph lacks only the
   * `range` variables, which observation then initialises).
   */
  allowMissing?: readonly VariableKind[];
}

/**
 * A fresh store holding the checkpoint's values for `ir`. The model
 * variables must match 1:1 by name: anything missing or unexpected is a
 * UserError that lists the names.
 */
export function restoreStore(ckpt: Checkpoint, opts: RestoreOptions = {}): VariableStore {
  const ir = analyze(opts.ir ?? ckpt.ir);
  const modelNames = [...ckpt.tensors].filter(([, t]) => MODEL_KINDS.includes(t.kind)).map(([n]) => n);
  const allowed = opts.allowMissing ?? [];
  const fresh = ir.variables.filter((v) => allowed.includes(v.kind) && !ckpt.tensors.has(v.name));
  checkNamesMatch(ir.variables.filter((v) => !fresh.includes(v)).map((v) => v.name), modelNames, `the checkpoint in ${ckpt.dir} does not match model '${ir.graph.name}'`);
  const store = new VariableStore();
  try {
    for (const v of ir.variables) {
      if (fresh.includes(v)) {
        store.add(v.name, v.kind, tf.tensor(initialValues(v.init, v.shape, 0, v.name), v.shape, 'float32'));
        continue;
      }
      const t = ckpt.tensors.get(v.name)!;
      if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
        throw new UserError(`variable '${v.name}' has shape [${v.shape}] in the model but [${t.shape}] in the checkpoint`);
      }
      store.add(v.name, v.kind, tf.tensor(t.data, t.shape, t.dtype));
    }
    const step = ckpt.tensors.get(STEP_NAME);
    if (step) store.setStep(step.data[0]);
    if (opts.includeOptimizer) {
      for (const [n, t] of ckpt.tensors) if (t.kind === 'slot') store.add(n, 'slot', tf.tensor(t.data, t.shape, t.dtype));
    }
  } catch (e) {
    store.dispose();
    throw e;
  }
  return store;
}
