// Saves a tfjs-layers model as model.json + weights.bin in plain Node:
// tfjs's own `file://` handler needs tfjs-node, which offline machines lack.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `<dir>/model.json` and `<dir>/weights.bin`; returns the model.json path. */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'model.json');
  await model.save(tf.io.withSaveHandler(async (a) => {
    const data = a.weightData === undefined ? new ArrayBuffer(0) : Array.isArray(a.weightData) ? tf.io.concatenateArrayBuffers(a.weightData) : a.weightData;
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(data));
    writeFileSync(path, JSON.stringify({
      format: 'layers-model', generatedBy: 'qat saveLayersModel', modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return path;
}
