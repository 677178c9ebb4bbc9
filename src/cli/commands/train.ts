// `qat train`: float training of a zoo model (quantization flags join later
// through TRAIN_FLAGS / toTrainOptions, which other commands may reuse).
import type { Argv, CommandModule, Options } from 'yargs';
import type { Dataset } from '../../../datasets/types.js';
import { DATASET_NAMES, datasetHelp, loadDataset } from '../../../datasets/index.js';
import { BACKEND_NAMES, selectBackend, type BackendChoice } from '../../backend.js';
import { UserError } from '../../errors.js';
import { summary } from '../../ir/summary.js';
import { analyze } from '../../ir/analyze.js';
import { loadCheckpoint } from '../../run/checkpoint.js';
import { train, TRAIN_DEFAULTS, DEFAULT_LR, type TrainOptions } from '../../../train/loop.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../../../train/optimizers.js';
import { consoleProgress } from '../../../train/progress.js';
import { SCHEDULE_NAMES, type ScheduleName } from '../../../train/schedule.js';
import { describeFineTune, FINE_TUNE_DEFAULTS } from '../../../train/fine-tune.js';
import { UPSAMPLE_MODES, ZOO, ZOO_NAMES, type TrainingRecipe, type UpsampleMode } from '../../../train/zoo/index.js';
import { resolveWorkers } from '../../../train/parallel/workers.js';
import { describeInputRescaling, importLayersModel, isModelFile, type ImportedModel } from '../../import/index.js';
import { QAT_DEFAULTS, resolveQatConfig, type QatConfig, type RangeMode } from '../../../quantize/config.js';
import { checkTaskName, DEFAULT_IMAGE_LOSS, IMAGE_LOSSES, TASK_NAMES, type ImageLoss, type TaskName } from '../../../train/task.js';

export interface TrainArgs {
  model?: string;
  dataset?: string;
  out?: string;
  epochs?: number;
  batch?: number;
  lr?: number;
  'augment-shift'?: number;
  limit?: number;
  seed?: number;
  from?: string;
  backend: BackendChoice;
  alpha?: number;
  'input-size'?: number;
  optimizer?: OptimizerName;
  schedule?: ScheduleName;
  'data-dir'?: string;
  'num-classes'?: number;
  'val-split'?: number;
  summary: boolean;
  quantize?: boolean;
  workers?: string;
  'micro-batch'?: number;
  task?: string;
  loss?: string;
  upsample?: UpsampleMode;
}

/** Quantization flags, shared by `qat train --quantize` and `qat calibrate`. */
export interface QuantArgs {
  bits?: number;
  'weight-bits'?: number;
  'per-channel'?: boolean;
  'per-tensor'?: boolean;
  'quant-delay'?: number;
  'freeze-bn'?: number;
  skip?: string;
  'input-mean'?: number;
  'input-std'?: number;
  'range-mode'?: RangeMode;
  'ema-decay'?: number;
}

/** Flag table, grouped for --help; later issues add their groups here. */
export const TRAIN_FLAGS: Record<string, Options> = {
  model: { type: 'string', group: 'Model:', describe: `zoo model: ${ZOO_NAMES.join(', ')}, or a tfjs-layers model.json path (omit with --from)` },
  alpha: { type: 'number', group: 'Model:', describe: 'width multiplier for mobilenet-v1, mobilenet-v2, resnet-tiny (e.g. 0.25, 0.5, 1)' },
  upsample: { choices: UPSAMPLE_MODES, group: 'Model:', describe: 'unet-tiny\'s way up: a transposed convolution (default), or nearest / bilinear upsampling then a 3×3 conv' },
  'input-size': { type: 'number', group: 'Model:', describe: 'model input height = width in pixels; dataset images are padded or resized to it (default: the dataset\'s)' },
  summary: { type: 'boolean', group: 'Model:', default: false, describe: 'print the layer table before training' },
  dataset: { type: 'string', group: 'Data:', describe: `${DATASET_NAMES.join(', ')}, a directory of IDX files, or a directory of class subfolders of .png/.jpg images (omit with --from to reuse the run's)` },
  task: { type: 'string', group: 'Training:', describe: `${TASK_NAMES.join(', ')}: one class per image (cross-entropy), one class per pixel (per-pixel cross-entropy; pixel accuracy and mean IoU), or an image per image (L1/L2 loss; PSNR) (default: what the dataset holds, classify for mnist)` },
  loss: { type: 'string', group: 'Training:', describe: `--task image: ${IMAGE_LOSSES.join(' or ')} (default ${DEFAULT_IMAGE_LOSS})` },
  'data-dir': { type: 'string', group: 'Data:', describe: 'where to find IDX files for mnist / fashion-mnist' },
  limit: { type: 'number', group: 'Data:', describe: 'use at most N examples of each split' },
  'val-split': { type: 'number', group: 'Data:', describe: 'image-folder datasets: share of each class held out for testing, chosen by --seed (default 0.2)' },
  'num-classes': { type: 'number', group: 'Data:', describe: 'class count of an IDX directory (default: its largest label + 1); every label is checked against it' },
  epochs: { type: 'number', group: 'Training:', describe: `total epochs of the run, counting resumed ones (default ${TRAIN_DEFAULTS.epochs}; ${FINE_TUNE_DEFAULTS.epochs} for a fine-tune with --quantize --from a float run)` },
  batch: { type: 'number', group: 'Training:', describe: `batch size (default: the model's recipe for the dataset, e.g. 32 for mnist-cnn, else ${TRAIN_DEFAULTS.batchSize}; see below)` },
  lr: { type: 'number', group: 'Training:', describe: `base learning rate (default: the model's recipe for the dataset, e.g. 0.002 for mnist-cnn, else ${DEFAULT_LR.adam} for adam; ${DEFAULT_LR.sgd} for sgd; a fine-tune with --quantize --from a float run: ${FINE_TUNE_DEFAULTS.lrFactor} × that run's base rate)` },
  'augment-shift': { type: 'number', group: 'Training:', describe: `shift each training image by a random whole-pixel offset up to N (default: the model's recipe for the dataset, e.g. 1 for mnist-cnn, else 0; a fine-tune with --quantize --from a float run: ${FINE_TUNE_DEFAULTS.augmentShift === 0 ? 'none' : 'the float run\'s'})` },
  optimizer: { choices: OPTIMIZER_NAMES, group: 'Training:', describe: `adam, or sgd with momentum 0.9 (default ${TRAIN_DEFAULTS.optimizer})` },
  schedule: { choices: SCHEDULE_NAMES, group: 'Training:', describe: `learning-rate schedule (default: the model's recipe for the dataset, else ${TRAIN_DEFAULTS.schedule}; ${FINE_TUNE_DEFAULTS.schedule} for a fine-tune with --quantize --from a float run; step = ×0.1 at 50% and 75%)` },
  seed: { type: 'number', group: 'Training:', describe: `seed for initial weights, shuffling and dropout (default ${TRAIN_DEFAULTS.seed})` },
  out: { type: 'string', group: 'Run:', describe: 'run directory to write: checkpoint/ and metrics.json (default with --from: that run)' },
  from: { type: 'string', group: 'Run:', describe: 'resume the run in this directory (after Ctrl-C, or to train more epochs)' },
  backend: { choices: BACKEND_NAMES, default: 'auto', group: 'Run:', describe: 'tfjs backend (auto: node if installed, else wasm)' },
  workers: { type: 'string', group: 'Run:', describe: 'data-parallel replicas on wasm/cpu, each in its own thread taking a shard of every batch: N, or auto (default): one per core when the first steps measure them faster than one process, else one process; the choice is printed. Pass a number for runs that must repeat bit for bit' },
  'micro-batch': { type: 'number', group: 'Run:', describe: 'most images per forward/backward pass; larger batches accumulate gradients over parts (default: the whole batch when it fits the wasm heap, measured before the first step, else the largest part that does)' },
  quantize: { type: 'boolean', group: 'Quantization:', describe: 'quantization-aware training: rewrite the model with fake quant (with --from a float run: fine-tune it into a new --out run)' },
};

/** Flags that shape the quantization (used with --quantize, and by qat calibrate). */
export const QUANT_FLAGS: Record<string, Options> = {
  bits: { type: 'number', group: 'Quantization:', describe: `activation bit width, 2–8 (default ${QAT_DEFAULTS.bits})` },
  'weight-bits': { type: 'number', group: 'Quantization:', describe: `weight bit width, 2–8 (default ${QAT_DEFAULTS.weightBits})` },
  'per-channel': { type: 'boolean', group: 'Quantization:', describe: 'one weight range per output channel (default)' },
  'per-tensor': { type: 'boolean', group: 'Quantization:', describe: 'one weight range per layer' },
  'quant-delay': { type: 'number', group: 'Quantization:', describe: 'steps of float training (ranges observed) before fake quant turns on (default 0)' },
  'freeze-bn': { type: 'number', group: 'Quantization:', describe: 'step from which BN uses its moving statistics, counted from the start of QAT (default: never)' },
  skip: { type: 'string', group: 'Quantization:', describe: 'comma-separated layer names to leave in float' },
  'input-mean': { type: 'number', group: 'Quantization:', describe: 'fix the input quantization to real = (q − mean)/std (int8 q); with --input-std' },
  'input-std': { type: 'number', group: 'Quantization:', describe: 'see --input-mean' },
  'range-mode': { choices: ['ema', 'learned'], group: 'Quantization:', describe: "activation ranges: 'ema' of observed min/max (default), or 'learned' after the delay" },
  'ema-decay': { type: 'number', group: 'Quantization:', describe: `EMA decay of observed activation ranges (default ${QAT_DEFAULTS.emaDecay})` },
};

/** The QatConfig the flags describe (validated), or a UserError. */
export function qatConfigFromArgs(a: QuantArgs): QatConfig {
  if (a['per-channel'] && a['per-tensor']) throw new UserError('--per-channel and --per-tensor exclude each other');
  const skip = a.skip === undefined ? [] : a.skip.split(',').map((s) => s.trim()).filter(Boolean);
  return resolveQatConfig({
    ...(a.bits !== undefined ? { bits: a.bits } : {}),
    ...(a['weight-bits'] !== undefined ? { weightBits: a['weight-bits'] } : {}),
    ...(a['per-tensor'] || a['per-channel'] === false ? { perChannel: false } : {}),
    ...(a['quant-delay'] !== undefined ? { quantDelay: a['quant-delay'] } : {}),
    ...(a['freeze-bn'] !== undefined ? { freezeBnStep: a['freeze-bn'] } : {}),
    skip,
    ...(a['input-mean'] !== undefined ? { inputMean: a['input-mean'] } : {}),
    ...(a['input-std'] !== undefined ? { inputStd: a['input-std'] } : {}),
    ...(a['range-mode'] !== undefined ? { rangeMode: a['range-mode'] } : {}),
    ...(a['ema-decay'] !== undefined ? { emaDecay: a['ema-decay'] } : {}),
  });
}

/** Flags given that only make sense with quantization. */
export function quantFlagsGiven(a: QuantArgs): string[] {
  return Object.keys(QUANT_FLAGS).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
}

function checkNumber(v: number | undefined, flag: string, ok: (n: number) => boolean, what: string): void {
  if (v !== undefined && !(Number.isFinite(v) && ok(v))) throw new UserError(`--${flag} must be ${what}, got ${v}`);
}

const isPosInt = (n: number): boolean => Number.isInteger(n) && n > 0;

/** Validates flags and loads the dataset: everything train() needs except the signal and progress sink. */
export async function toTrainOptions(a: TrainArgs & QuantArgs): Promise<TrainOptions & { dataset: Dataset }> {
  const quantFlags = quantFlagsGiven(a);
  if (!a.quantize && quantFlags.length) throw new UserError(`--${quantFlags[0]} applies to quantization-aware training; add --quantize`);
  const quantize = a.quantize ? qatConfigFromArgs(a) : undefined;
  checkNumber(a.epochs, 'epochs', isPosInt, 'a positive integer');
  checkNumber(a.batch, 'batch', isPosInt, 'a positive integer');
  checkNumber(a.limit, 'limit', isPosInt, 'a positive integer');
  checkNumber(a['num-classes'], 'num-classes', (n) => isPosInt(n) && n <= 256, 'an integer from 1 to 256');
  checkNumber(a.seed, 'seed', (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
  checkNumber(a.lr, 'lr', (n) => n > 0, 'a positive number');
  checkNumber(a['augment-shift'], 'augment-shift', (n) => Number.isInteger(n) && n >= 0, 'a whole number of pixels ≥ 0');
  checkNumber(a.alpha, 'alpha', (n) => n > 0 && n <= 4, 'in (0, 4]');
  checkNumber(a['input-size'], 'input-size', (n) => isPosInt(n) && n >= 8, 'an integer ≥ 8');
  // --model path/to/model.json imports a tfjs-layers model.
  const modelFile = a.model !== undefined && isModelFile(a.model);
  if (a.model !== undefined && !modelFile && !ZOO.has(a.model)) {
    throw new UserError(`unknown model '${a.model}'; choose one of ${ZOO_NAMES.join(', ')}, or give a tfjs-layers model.json path`);
  }
  if (modelFile && (a.alpha !== undefined || a['input-size'] !== undefined)) {
    throw new UserError('--alpha and --input-size shape zoo models; an imported model.json keeps its own shape');
  }
  const resumed = a.from !== undefined ? loadCheckpoint(a.from).config : undefined;
  if (!resumed) {
    if (a.model === undefined) throw new UserError('name a model with --model (one of ' + ZOO_NAMES.join(', ') + ') or resume a run with --from');
    if (a.dataset === undefined) throw new UserError(`name a dataset with --dataset (${DATASET_NAMES.join(', ')} or a directory)`);
    if (a.out === undefined) throw new UserError('name a run directory with --out');
  } else if (a.quantize && resumed.quantization === undefined && a.out === undefined) {
    throw new UserError(`--quantize --from ${a.from} fine-tunes that float run into a new run; name it with --out`);
  } else if (a.alpha !== undefined || a['input-size'] !== undefined || a.upsample !== undefined) {
    throw new UserError('--alpha, --input-size and --upsample shape a new model; they cannot change a run resumed with --from');
  }
  const task = a.task !== undefined ? checkTaskName(a.task) : undefined;
  if (a.loss !== undefined && !(IMAGE_LOSSES as readonly string[]).includes(a.loss)) throw new UserError(`--loss must be ${IMAGE_LOSSES.join(' or ')}, got '${a.loss}'`);
  if (a.loss !== undefined && task !== undefined && task !== 'image') throw new UserError(`--loss applies to --task image, not --task ${task}`);
  const spec = a.dataset ?? resumed!.dataset;
  const limit = a.limit ?? (a.dataset === undefined ? resumed?.limit : undefined);
  const seed = a.seed ?? resumed?.seed ?? TRAIN_DEFAULTS.seed;
  // A resumed run's labels are checked against the classes its model predicts.
  const numClasses = a['num-classes'] ?? resumed?.numClasses;
  const valSplit = a['val-split'] ?? (a.dataset === undefined ? resumed?.valSplit : undefined);
  const dataset = await loadDataset(spec, {
    ...(limit !== undefined ? { limit } : {}), seed, ...(a['data-dir'] !== undefined ? { dataDir: a['data-dir'] } : {}),
    ...(numClasses !== undefined ? { numClasses } : {}),
    ...(valSplit !== undefined ? { valSplit } : {}),
  });
  const size = a['input-size'];
  const imported = modelFile && !resumed ? importForTraining(a.model!, dataset.numClasses, task ?? dataset.task ?? 'classify') : undefined;
  return {
    ...(imported ? { model: imported.graph, initialWeights: imported.weights, inputShape: imported.inputShape } : a.model !== undefined && !modelFile ? { model: a.model } : {}),
    ...(a.alpha !== undefined ? { alpha: a.alpha } : {}),
    ...(a.upsample !== undefined ? { upsample: a.upsample } : {}),
    ...(size !== undefined ? { inputShape: [size, size, dataset.train.channels] as [number, number, number] } : {}),
    dataset,
    datasetSpec: spec,
    ...(limit !== undefined ? { limit } : {}),
    ...(valSplit !== undefined ? { valSplit } : {}),
    outDir: a.out ?? a.from!,
    ...(a.epochs !== undefined ? { epochs: a.epochs } : {}),
    ...(a.batch !== undefined ? { batchSize: a.batch } : {}),
    ...(a.lr !== undefined ? { lr: a.lr } : {}),
    ...(a['augment-shift'] !== undefined ? { augmentShift: a['augment-shift'] } : {}),
    ...(a.optimizer !== undefined ? { optimizer: a.optimizer } : {}),
    ...(a.schedule !== undefined ? { schedule: a.schedule } : {}),
    ...(a.seed !== undefined ? { seed: a.seed } : {}),
    ...(a.from !== undefined ? { from: a.from } : {}),
    ...(quantize ? { quantize } : {}),
    workers: resolveWorkers(a.workers),
    ...(a['micro-batch'] !== undefined ? { microBatch: a['micro-batch'] } : {}),
    ...(task !== undefined ? { task } : {}),
    ...(a.loss !== undefined ? { imageLoss: a.loss as ImageLoss } : {}),
  };
}

/** Imports a tfjs-layers model for training: logits out (training applies softmax itself), shape checked against the dataset. */
function importForTraining(path: string, numClasses: number, task: TaskName): ImportedModel & { inputShape: [number, number, number] } {
  const imported = importLayersModel(path, { logits: true });
  if (imported.inputRescaling) process.stderr.write(`${describeInputRescaling(imported.inputRescaling)}\n`);
  const a = analyze(imported.graph);
  const inShape = a.shapes.get(a.inputs[0]!)!;
  if (inShape.length !== 3) throw new UserError(`${path} takes input of shape [${inShape}]; training needs an image input [height, width, channels]`);
  // Dense tasks check the output against the dataset's targets when training starts (train/task.ts);
  // a classifier's every output is a head trained on the dataset's labels (the loss sums over them).
  for (const out of task === 'classify' ? imported.graph.outputs : []) {
    const outShape = a.shapes.get(out)!;
    if (outShape.length === 1 && outShape[0] !== numClasses) {
      const which = imported.graph.outputs.length > 1 ? `output '${out}' has` : 'outputs';
      throw new UserError(`${path} ${which} shape [${outShape}] but the dataset has ${numClasses} classes; its last layer needs ${numClasses} units`);
    }
  }
  return { ...imported, inputShape: [inShape[0]!, inShape[1]!, inShape[2]!] };
}

/** `batch 64, lr 0.001, constant, no shifts`: the settings a recipe fixes. */
function describeRecipe(r: TrainingRecipe): string {
  return [
    r.batchSize !== undefined ? `batch ${r.batchSize}` : '',
    r.lr !== undefined ? `lr ${r.lr}` : '',
    r.schedule ?? '',
    r.augmentShift === undefined ? '' : r.augmentShift === 0 ? 'no shifts' : `±${r.augmentShift} px shifts`,
    r.dropout === undefined ? '' : r.dropout === 0 ? 'no dropout' : `dropout ${r.dropout}`,
    r.init === undefined ? '' : `${r.init} init`,
  ].filter((x) => x !== '').join(', ');
}

/** The zoo recipes that differ by dataset, for --help. */
function datasetRecipeHelp(): string {
  const lines = ZOO_NAMES.flatMap((name) => {
    const e = ZOO.get(name)!;
    return Object.entries(e.datasetRecipes ?? {}).map(([ds, r]) => `  ${name} on ${ds}: ${describeRecipe({ schedule: TRAIN_DEFAULTS.schedule, ...e.recipe, ...r })} (elsewhere: ${describeRecipe({ schedule: TRAIN_DEFAULTS.schedule, ...e.recipe })})`);
  });
  return lines.length === 0 ? '' : 'Model recipes that differ by dataset (flags override the training settings, not the model\'s dropout or init; a constant rate leaves the annealing to the QAT fine-tune, which then happens under fake quant):\n'
    + `${lines.join('\n')}\n\n`;
}

/** What `--quantize --from FLOAT` trains with when no flag says, for --help. */
function fineTuneHelp(): string {
  const d = FINE_TUNE_DEFAULTS;
  return `A fine-tune (--quantize --from a float run) takes its recipe from that run unless flags override it: learning rate ${d.lrFactor} × the float run's base rate, `
    + `${d.schedule} schedule, ${d.epochs} epoch${d.epochs === 1 ? '' : 's'}, the float run's batch size and optimizer (fresh state), `
    + `${d.augmentShift === 0 ? 'no image shifts' : "the float run's image shifts"}. The model line of the output shows the values and where the rate came from.`;
}

/** SIGINT → abort (checkpoint, clean exit); a second Ctrl-C quits at once. */
function interruptController(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nqat: stopping after this step and saving a checkpoint (Ctrl-C again to quit without saving)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, release: () => process.off('SIGINT', onSigint) };
}

export const trainCommand: CommandModule<object, TrainArgs & QuantArgs> = {
  command: 'train',
  describe: 'train a zoo model (float, or quantization-aware with --quantize) and write a run directory (checkpoint + metrics.json)',
  builder: (y: Argv) =>
    y.options({ ...TRAIN_FLAGS, ...QUANT_FLAGS })
      .example('$0 train --model mnist-cnn --dataset mnist --out runs/cnn', 'the reference CNN on the embedded MNIST digits (3 epochs)')
      .example('$0 train --model mobilenet-v1 --alpha 0.25 --input-size 32 --dataset fashion-mnist --out runs/mb --epochs 5', 'a small MobileNet on 32×32 Fashion-MNIST')
      .example('$0 train --from runs/cnn --epochs 5', 'resume runs/cnn (after Ctrl-C) or train it on to 5 epochs')
      .example('$0 train --model lenet5 --dataset synthetic --limit 500 --epochs 1 --out /tmp/try', 'a quick smoke run')
      .example('$0 train --model mobilenet-v2 --input-size 224 --dataset synthetic --limit 128 --epochs 1 --out /tmp/mb224', 'MobileNet v2 at 224×224: batch 64 runs as micro-batches that fit the wasm heap')
      .example('$0 train --model unet-tiny --task segment --dataset mnist-seg --out runs/seg', 'a class per pixel: digits on cluttered canvases (pixel accuracy and mean IoU)')
      .example('$0 train --model style-net --task image --dataset fashion-denoise --out runs/dn', 'image to image: denoising with an L1 loss (PSNR)')
      .example('$0 train --quantize --from runs/cnn --out runs/cnn-qat --epochs 2', 'fine-tune the float run with fake quant (int8 weights and activations)')
      .example('$0 train --quantize --from runs/cnn --out runs/cnn-w4 --weight-bits 4 --skip logits', '4-bit weights, last layer left float')
      .epilogue(`Datasets:\n${datasetHelp()}\n\n${datasetRecipeHelp()}${fineTuneHelp()}\n\nCtrl-C saves a resumable checkpoint; continue with --from <run-dir>. The same --seed on the same backend with the same --workers N gives the same metrics.`) as never,
  handler: async (args) => {
    const options = await toTrainOptions(args);
    let backend: string;
    try {
      backend = await selectBackend(args.backend);
    } catch (e) {
      throw new UserError((e as Error).message);
    }
    const w = options.workers ?? 1;
    console.log(`backend: ${backend}, ${w === 'auto' ? 'workers auto (decided over the first steps)' : w === 1 ? 'one process' : `${w} workers`}`);
    const ds = options.dataset;
    console.log(`dataset: ${options.datasetSpec} (${ds.train.count} train / ${ds.test.count} test, ${ds.train.height}×${ds.train.width}×${ds.train.channels}, ${ds.numClasses} classes)`);
    const interrupt = interruptController();
    const result = await train({
      ...options,
      signal: interrupt.signal,
      progress: consoleProgress(options.batchSize ?? TRAIN_DEFAULTS.batchSize),
      onStart: (ir, config, report, fineTune) => {
        const a = analyze(ir);
        if (args.summary) console.log(summary(a));
        const q = config.quantization;
        if (q) {
          const c = q.config;
          console.log(`quantization: ${c.bits}-bit activations, ${c.weightBits}-bit ${c.perChannel ? 'per-channel' : 'per-tensor'} weights, `
            + `quant delay ${c.quantDelay}, BN freeze ${c.freezeBnStep ?? 'never'}, ${c.rangeMode} ranges${q.from ? `, from ${q.from}` : ''}`);
          for (const line of report) console.log(`  ${line}`);
        }
        const params = a.variables.filter((v) => v.kind === 'weight').reduce((s, v) => s + v.shape.reduce((p, d) => p * d, 1), 0);
        const at = config.step > 0 ? `, resuming at epoch ${config.epoch + 1} step ${config.stepInEpoch + 1} (global step ${config.step})` : '';
        console.log(`model: ${config.model} (input ${config.inputShape.join('×')}, ${params.toLocaleString('en-US')} trainable params), `
          + `${fineTune ? describeFineTune(config.optimizer.name, fineTune) : `${config.optimizer.name} lr ${config.lr} ${config.schedule}`}, batch ${config.batchSize}, ${config.epochs} epoch${config.epochs === 1 ? '' : 's'}, seed ${config.seed}${config.augmentShift ? `, ±${config.augmentShift} px shifts` : ""}${at}`);
      },
    }).finally(() => interrupt.release());
    const last = result.metrics.epochs.at(-1);
    if (last) {
      const dense = `${last.testMiou !== undefined ? `, mean IoU ${(100 * last.testMiou).toFixed(2)}%` : ''}${last.testPsnr !== undefined ? `, PSNR ${last.testPsnr.toFixed(2)} dB` : ''}`;
      console.log(`test accuracy: ${(100 * last.testAccuracy).toFixed(2)}%${dense} after epoch ${last.epoch}; wall time ${result.metrics.wallSeconds.toFixed(1)}s`);
    }
    console.log(`run: ${result.runDir}`);
    result.store.dispose();
    if (result.interrupted) process.exitCode = 130;
  },
};
