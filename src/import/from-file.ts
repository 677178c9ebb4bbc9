// Reading a tfjs-layers model from files (Node): model.json and the weight
// shards beside it. Kept apart from the conversion so a browser build, which
// has models in memory, never loads the file system.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import type { ModelJson, WeightGroupJson } from './format.js';
import { convertModel, isRecord, type ImportedModel, type ImportOptions } from './import.js';
import { decodeWeights, type WeightValue } from './weights.js';

function parseModelJson(path: string): ModelJson {
  if (!existsSync(path)) throw new UserError(`model file ${path} does not exist`);
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path} is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(j) || !isRecord(j.modelTopology) || !Array.isArray(j.weightsManifest)) {
    throw new UserError(`${path} is not a tfjs-layers model.json (it needs modelTopology and weightsManifest)`);
  }
  if (j.format !== undefined && j.format !== 'layers-model') {
    throw new UserError(`${path} is a '${String(j.format)}' model; only tfjs-layers models (format 'layers-model') can be imported`);
  }
  return j as unknown as ModelJson;
}

/** Reads a tfjs-layers model (Sequential or Functional) into the IR with its weights. */
export function importLayersModel(modelJsonPath: string, opts: ImportOptions = {}): ImportedModel {
  const m = parseModelJson(modelJsonPath);
  return convertModel(m.modelTopology, readWeights(modelJsonPath, m.weightsManifest), modelJsonPath, basename(modelJsonPath, '.json'), opts);
}

/** All weights named in `manifest`, by their manifest name, read from files next to `modelJsonPath`. */
export function readWeights(modelJsonPath: string, manifest: WeightGroupJson[]): Map<string, WeightValue> {
  const dir = dirname(modelJsonPath);
  const out = new Map<string, WeightValue>();
  for (const group of manifest) {
    const parts: Buffer[] = [];
    for (const p of group.paths) {
      const file = join(dir, p);
      if (!existsSync(file)) throw new UserError(`weight shard '${p}' listed in ${modelJsonPath} is missing (looked for ${file})`);
      parts.push(readFileSync(file));
    }
    const buf = Buffer.concat(parts);
    decodeWeights(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), group.weights, `weight shards ${group.paths.join(', ')}`, modelJsonPath, out);
  }
  return out;
}

