// importLayersModel for a model already in memory: a tf.LayersModel's own
// serialization (topology + weight specs + weight data, what model.save
// hands an IO handler) goes through the same converter as a model.json.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.js';
import type { ModelJson, WeightEntryJson } from './format.js';
import { convertModel, type ImportedModel, type ImportOptions } from './import.js';
import { decodeWeights } from './weights.js';

/** Converts `model` (Sequential or Functional, float32 weights) to the IR with its current weights. */
export async function importLayersModelFromMemory(model: tf.LayersModel, opts: ImportOptions = {}): Promise<ImportedModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const source = `the tfjs model '${model.name}'`;
  const topology = artifacts?.modelTopology;
  if (!artifacts || !topology || topology instanceof ArrayBuffer) throw new UserError(`${source} did not serialize its topology as JSON`);
  const data = artifacts.weightData === undefined ? new ArrayBuffer(0)
    : Array.isArray(artifacts.weightData) ? tf.io.concatenateArrayBuffers(artifacts.weightData) : artifacts.weightData;
  const specs: WeightEntryJson[] = (artifacts.weightSpecs ?? []).map((w) => ({
    name: w.name, shape: w.shape, dtype: w.dtype, ...(w.quantization ? { quantization: w.quantization } : {}),
  }));
  const saved = decodeWeights(new Uint8Array(data), specs, 'its weight data', source);
  return convertModel(topology as unknown as ModelJson['modelTopology'], saved, source, model.name, opts);
}
