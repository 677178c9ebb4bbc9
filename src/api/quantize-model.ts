// quantizeModel: the entry of the library API for a caller's own training
// loop (as tfmot's quantize_model or PyTorch's prepare_qat): a float model
// in, a QatModel with fake quant and its variables out.
import type * as tf from '@tensorflow/tfjs';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { VariableStore } from '../../train/state.js';
import { buildModel, ZOO, ZOO_NAMES } from '../../train/zoo/index.js';
import { UserError } from '../errors.js';
import { isModelFile, type ImportedModel } from '../import/import.js';
import { importLayersModel } from '../platform/node.js';
import { importLayersModelFromMemory } from '../import/memory.js';
import { analyze } from '../ir/analyze.js';
import { resolveQuantizeConfig, type QuantizeConfig } from './config.js';
import { QatModel } from './qat-model.js';

export interface QuantizeModelOptions extends QuantizeConfig {
  /** Seed of freshly initialised variables (zoo weights; activation ranges start unobserved either way) and of dropout masks. Default 1. */
  seed?: number;
  /** Zoo models: input [height, width, channels] (default [28, 28, 1]). */
  inputShape?: [number, number, number];
  /** Zoo models: number of classes (default 10). */
  numClasses?: number;
  /** Zoo models that take one: width multiplier. */
  alpha?: number;
  /** Imported models: drop a final softmax, so the output is logits (default false: the model computes what it did). */
  logits?: boolean;
}

/** A tfjs LayersModel (in memory), a zoo name, or (in Node) a tfjs-layers model.json path. */
export type ModelSource = tf.LayersModel | string;

const ZOO_DEFAULTS = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 };

/**
 * Rewrites `model` for quantization-aware training. The float weights of a
 * LayersModel or model.json carry over; the returned QatModel owns its own
 * variables (the LayersModel is not changed and may be disposed).
 */
export async function quantizeModel(model: ModelSource, options: QuantizeModelOptions = {}): Promise<QatModel> {
  const config = resolveQuantizeConfig(options);
  const seed = options.seed ?? 1;
  let name: string;
  let imported: ImportedModel;
  if (typeof model !== 'string' || !ZOO.has(model)) {
    const unused = (['inputShape', 'numClasses', 'alpha'] as const).filter((k) => options[k] !== undefined);
    if (unused.length) throw new UserError(`${unused.join(', ')} shape${unused.length === 1 ? 's' : ''} zoo models; an imported model keeps its own`);
  }
  if (typeof model !== 'string') {
    imported = await importLayersModelFromMemory(model, { logits: options.logits ?? false });
    name = imported.graph.name;
  } else if (ZOO.has(model)) {
    name = model;
    imported = {
      graph: buildModel(model, {
        inputShape: options.inputShape ?? ZOO_DEFAULTS.inputShape, numClasses: options.numClasses ?? ZOO_DEFAULTS.numClasses,
        ...(options.alpha !== undefined ? { alpha: options.alpha } : {}),
      }),
      weights: new Map(),
    };
  } else if (isModelFile(model)) {
    imported = importLayersModel(model, { logits: options.logits ?? false });
    name = imported.graph.name;
  } else {
    throw new UserError(`unknown model '${model}'; give a tf.LayersModel, a zoo name (${ZOO_NAMES.join(', ')}) or a tfjs-layers model.json path`);
  }
  const { graph, report } = rewriteForQat(imported.graph, config);
  const store = VariableStore.forGraph(analyze(graph), seed, imported.weights);
  return new QatModel({
    graph, store, model: name, seed, quantization: { config, startStep: 0, report },
    ...(imported.inputRescaling ? { inputRescaling: imported.inputRescaling } : {}),
  });
}
