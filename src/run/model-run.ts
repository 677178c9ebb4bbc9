// A model trained in the caller's own loop, saved as a run directory: the
// same checkpoint `qat train` writes, so `qat export|eval|parity --run` and
// `qat train --from` read it. Its loop settings (batch, epochs, optimizer)
// are not qat's to know; they are recorded as qat train's defaults, which a
// `qat train --from` continuation would use.
import type { Graph } from '../ir/types.js';
import { analyze } from '../ir/analyze.js';
import { UserError } from '../errors.js';
import { activeBackend } from '../backend.js';
import type { VariableStore } from '../../train/state.js';
import { optimizerConfig } from '../../train/optimizers.js';
import { DEFAULT_LR, TRAIN_DEFAULTS } from '../../train/loop.js';
import { saveCheckpoint } from './checkpoint.js';
import { RUN_CONFIG_FORMAT, RUN_CONFIG_VERSION, type RunConfig, type RunQuantization } from './config.js';

export interface ModelRunInfo {
  /** Zoo name or the graph's own name. */
  model: string;
  seed: number;
  quantization?: RunQuantization;
  /** The dataset spec to record (default 'custom': the caller's own data). */
  dataset?: string;
}

/** Writes `ir` and the model variables of `store` to `runDir` as a complete run; returns the checkpoint directory. */
export function saveModelRun(runDir: string, ir: Graph, store: VariableStore, info: ModelRunInfo): string {
  const a = analyze(ir);
  const input = a.shapes.get(a.inputs[0]!)!;
  const output = a.shapes.get(ir.outputs[0]!)!;
  if (input.length !== 3) throw new UserError(`model '${ir.name}' takes input [${input.join(', ')}]; a run directory holds image models ([height, width, channels])`);
  const config: RunConfig = {
    format: RUN_CONFIG_FORMAT,
    version: RUN_CONFIG_VERSION,
    model: info.model,
    modelOptions: {},
    dataset: info.dataset ?? 'custom',
    inputShape: [input[0]!, input[1]!, input[2]!],
    numClasses: output.at(-1)!,
    seed: info.seed,
    batchSize: TRAIN_DEFAULTS.batchSize,
    epochs: 0,
    lr: DEFAULT_LR[TRAIN_DEFAULTS.optimizer],
    schedule: TRAIN_DEFAULTS.schedule,
    optimizer: optimizerConfig(TRAIN_DEFAULTS.optimizer),
    epoch: 0,
    stepInEpoch: 0,
    step: store.step,
    stepsPerEpoch: 0,
    complete: true,
    backend: activeBackend(),
    ...(info.quantization ? { quantization: info.quantization } : {}),
  };
  return saveCheckpoint(runDir, ir, config, store);
}
