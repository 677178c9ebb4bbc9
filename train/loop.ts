// train(): the float training loop. Seeded shuffles (one permutation per
// epoch), per-epoch test evaluation, a checkpoint at every epoch end and on
// abort (Ctrl-C), metrics.json, and exact resumption with `from`.
import type * as tf from '@tensorflow/tfjs';
import { batches, batchCount } from '../datasets/batches.js';
import type { Dataset } from '../datasets/types.js';
import { collectBatches, isAsyncIterable, type ExampleBatch } from '../datasets/memory.js';
import { activeBackend } from '../src/backend.js';
import { bufferMeter, formatBytes } from '../src/backend-memory.js';
import { UserError } from '../src/errors.js';
import { analyze } from '../src/ir/analyze.js';
import type { Graph } from '../src/ir/types.js';
import { RUN_CONFIG_FORMAT, RUN_CONFIG_VERSION, type RunConfig } from '../src/run/config.js';
import type { EpochMetrics, RunMetrics } from '../src/run/metrics.js';
import {
  checkpointDir, createParallelStepper, workerCores, existsSync, loadCheckpoint, mkdirSync, readMetrics, recoverRunDir, resolve, restoreStore,
  saveCheckpoint, writeMetrics,
} from '../src/platform/node.js';
import { describeFault, describeLargest, parameterHealth } from './divergence.js';
import { evaluate } from './evaluate.js';
import { buildEvalGraph, buildTrainGraph, type TrainGraph } from './graph/build.js';
import { describePlan, measureStepMemory, planStep } from './memory-plan.js';
import { createOptimizer, optimizerConfig, type OptimizerName } from './optimizers.js';
import { silentProgress, type ProgressSink } from './progress.js';
import { mixSeed } from './random.js';
import { checkSchedule, learningRate, type ScheduleName } from './schedule.js';
import { deriveFineTune, type FineTuneRecipe } from './fine-tune.js';
import { VariableStore } from './state.js';
import { createStepper } from './step.js';
import type { ParallelStepper } from './parallel/index.js';
import { AUTO_PROBE, describeDecision, probingStepper, type AutoStepper } from './parallel/auto.js';
import { buildModel, recipeFor, type UpsampleMode } from './zoo/index.js';
import { resolveQatConfig, type QatConfig } from '../quantize/config.js';
import { rewriteForQat } from '../quantize/rewrite.js';
import type { VariableKind } from './state.js';
import { checkTaskFits, DEFAULT_IMAGE_LOSS, objectiveFor, type ImageLoss, type Objective, type TaskName } from './task.js';
import { runTask } from '../src/run/config.js';

export interface TrainOptions {
  /** Zoo name or a ready graph; optional when resuming (`from`). */
  model?: string | Graph;
  /** Width multiplier for zoo models that take one. */
  alpha?: number;
  /** How a zoo decoder upsamples (unet-tiny). */
  upsample?: UpsampleMode;
  /** Model input [h, w, c]; defaults to the dataset's image shape. Images are adapted to it. */
  inputShape?: [number, number, number];
  /**
   * The data: a Dataset (loadDataset, arrayDataset), or an async iterator of
   * batches ({ xs, ys, shape? }: images NHWC in [0, 1], class ids), read to its
   * end before the first step and then batched, shuffled and reshuffled every
   * epoch like any dataset (its test split is empty).
   */
  dataset: Dataset | AsyncIterable<ExampleBatch>;
  /** The dataset spec to record in the run config (default: dataset.name). */
  datasetSpec?: string;
  limit?: number;
  /** Image-folder datasets: the --val-split they were loaded with, recorded so eval and resume reload the same split. */
  valSplit?: number;
  /** Run directory to write (checkpoint/, metrics.json); without one nothing is written and the result's store is all there is. */
  outDir?: string;
  /** Total epochs the run should reach (counting epochs of the run resumed from). Default 3. */
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: OptimizerName;
  schedule?: ScheduleName;
  seed?: number;
  /** Augmentation: shift training images by up to this many pixels (default: the model's recipe, else 0). */
  augmentShift?: number;
  /** Run directory to resume from (may equal outDir). */
  from?: string;
  evalBatchSize?: number;
  /** Aborting saves a resumable checkpoint and returns with `interrupted: true`. */
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** Called once the model and run config are resolved, before the first step; `report` lists layers the rewrite left float; `fineTune` is set when fine-tuning a float run. */
  onStart?: (ir: Graph, config: RunConfig, report: string[], fineTune?: FineTuneRecipe) => void;
  /**
   * Quantization-aware training: the float model (or, with `from` a float
   * run, its checkpoint) is rewritten by rewriteForQat with this config.
   * With `from` a float run, this starts a new run (outDir ≠ from) at epoch 0
   * with fresh optimizer state and the settings deriveFineTune takes from
   * the float run where options leave them open; a QAT run resumes with its stored config.
   */
  quantize?: Partial<QatConfig>;
  /**
   * Data-parallel replicas, counting this thread; > 1 trains in worker
   * threads too (train/parallel). 'auto': one per core when the first steps
   * measure them faster than one process (train/parallel/auto.ts). Default 1.
   */
  workers?: number | 'auto';
  /**
   * Most images per forward/backward pass; a larger batch accumulates
   * gradients over parts. Default: the whole batch when its step fits the
   * wasm heap (measured before the first step), else the largest part that does.
   */
  microBatch?: number;
  /** Starting values of model variables by store name (e.g. importLayersModel's weights) instead of seeded init. */
  initialWeights?: ReadonlyMap<string, Float32Array>;
  /** What the model learns (default: a resumed run's, else what the dataset holds targets for). */
  task?: TaskName;
  /** Loss of --task image (default DEFAULT_IMAGE_LOSS). */
  imageLoss?: ImageLoss;
}

export interface TrainResult {
  /** The run directory written, or null when training ran in memory (no outDir). */
  runDir: string | null;
  ir: Graph;
  config: RunConfig;
  metrics: RunMetrics;
  interrupted: boolean;
  /** The trained variables; the caller owns and disposes it. */
  store: VariableStore;
  /** Layers the QAT rewrite left float, and why (empty for float runs). */
  report: string[];
}

export const TRAIN_DEFAULTS = { epochs: 3, batchSize: 64, seed: 1, optimizer: 'adam' as OptimizerName, schedule: 'cosine' as ScheduleName };
export const DEFAULT_LR: Record<OptimizerName, number> = { adam: 1e-3, sgd: 0.05 };

function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new UserError(`${what} must be a positive integer, got ${v}`);
  return v;
}

// setImmediate is Node's; a page yields with a zero timeout.
const yieldToEventLoop = (): Promise<void> => new Promise((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)));

interface Start {
  ir: Graph;
  store: VariableStore;
  config: RunConfig;
  previous: RunMetrics | null;
  /** Set when the resumed run's metrics lack epochs its checkpoint has: said once, not dropped silently. */
  historyNotice?: string;
  report: string[];
  /** Set when this run fine-tunes a float run with fake quant: the settings derived from it. */
  fineTune?: FineTuneRecipe;
}

/** Resolves options (and the checkpoint to resume) into a model, a store and a run config. */
function prepare(o: TrainOptions & { dataset: Dataset }): Start {
  const ds = o.dataset;
  const prev = o.from ? loadCheckpoint(o.from) : null;
  // Fine-tuning a float run with fake quant starts a new run from its weights; nothing else of it resumes.
  const fineTune = prev !== null && o.quantize !== undefined && prev.config.quantization === undefined;
  const pc = fineTune ? undefined : prev?.config;
  const src = prev?.config;
  if (src && typeof o.model === 'string' && o.model !== src.model) {
    throw new UserError(`--from ${o.from} holds a '${src.model}' model, not '${o.model}'`);
  }
  const optName = o.optimizer ?? (pc?.optimizer.name as OptimizerName | undefined) ?? (src?.optimizer.name as OptimizerName | undefined) ?? TRAIN_DEFAULTS.optimizer;
  const seed = o.seed ?? src?.seed ?? TRAIN_DEFAULTS.seed;
  const inputShape = src?.inputShape ?? o.inputShape ?? [ds.train.height, ds.train.width, ds.train.channels];
  const numClasses = src?.numClasses ?? ds.numClasses;
  const task = o.task ?? (src ? runTask(src) : ds.task ?? 'classify');
  if (src && runTask(src) !== task) throw new UserError(`--from ${o.from} trained with --task ${runTask(src)}, not --task ${task}`);
  if (o.imageLoss !== undefined && task !== 'image') throw new UserError(`--loss applies to --task image, not --task ${task}`);
  const imageLoss = task === 'image' ? o.imageLoss ?? src?.imageLoss ?? DEFAULT_IMAGE_LOSS : undefined;
  if (ds.numClasses !== numClasses) {
    throw new UserError(`the dataset has ${ds.numClasses} classes but the model resumed from ${o.from} has ${numClasses}`);
  }
  const recipe = typeof o.model === 'string' && !src ? recipeFor(o.model, ds.name) : undefined;
  const batchSize = positiveInt(o.batchSize ?? src?.batchSize ?? recipe?.batchSize ?? TRAIN_DEFAULTS.batchSize, '--batch');
  const tune = fineTune
    ? deriveFineTune(src!, { ...(o.lr !== undefined ? { lr: o.lr } : {}), ...(o.schedule ? { schedule: o.schedule } : {}), ...(o.epochs !== undefined ? { epochs: o.epochs } : {}), ...(o.augmentShift !== undefined ? { augmentShift: o.augmentShift } : {}), optimizer: optName }, DEFAULT_LR)
    : undefined;
  const augmentShift = tune?.augmentShift ?? o.augmentShift ?? src?.augmentShift ?? recipe?.augmentShift ?? 0;
  if (!Number.isInteger(augmentShift) || augmentShift < 0) throw new UserError(`--augment-shift must be a whole number of pixels ≥ 0, got ${augmentShift}`);
  const epochs = positiveInt(tune?.epochs ?? o.epochs ?? pc?.epochs ?? TRAIN_DEFAULTS.epochs, '--epochs');
  const lr = tune?.lr ?? o.lr ?? (pc && pc.optimizer.name === optName ? pc.lr : optName === 'adam' && recipe?.lr !== undefined ? recipe.lr : DEFAULT_LR[optName]);
  if (!(lr > 0 && Number.isFinite(lr))) throw new UserError(`--lr must be a positive number, got ${lr}`);
  if (ds.train.count === 0) throw new UserError(`the training split of '${ds.name}' is empty`);
  const stepsPerEpoch = batchCount(ds.train, batchSize);

  let ir: Graph;
  let modelName: string;
  let store: VariableStore;
  let quantization = pc?.quantization;
  let report: string[] = quantization?.report ?? [];
  if (prev && fineTune) {
    const qc = resolveQatConfig(o.quantize);
    const rewritten = rewriteForQat(prev.ir, qc);
    ir = rewritten.graph;
    report = rewritten.report;
    modelName = src!.model;
    store = restoreStore(prev, { ir, allowMissing: ['range'] });
    store.setStep(0);
    quantization = { config: qc, startStep: 0, from: resolve(o.from!), report };
  } else if (prev) {
    ir = prev.ir;
    modelName = src!.model;
    store = restoreStore(prev, { includeOptimizer: true });
  } else {
    if (o.model === undefined) throw new UserError('name a model to train (--model) or a run to resume (--from)');
    ir = typeof o.model === 'string'
      ? buildModel(o.model, {
        inputShape, numClasses, ...(o.alpha !== undefined ? { alpha: o.alpha } : {}), ...(o.upsample !== undefined ? { upsample: o.upsample } : {}),
        ...(recipe?.dropout !== undefined ? { dropout: recipe.dropout } : {}), ...(recipe?.init !== undefined ? { init: recipe.init } : {}),
      })
      : o.model;
    modelName = typeof o.model === 'string' ? o.model : o.model.name;
    if (o.quantize !== undefined) {
      const qc = resolveQatConfig(o.quantize);
      const rewritten = rewriteForQat(ir, qc);
      ir = rewritten.graph;
      report = rewritten.report;
      quantization = { config: qc, startStep: 0, report };
    }
    checkModelFitsTask(ir, modelName, task, inputShape, ds);
    store = VariableStore.forGraph(analyze(ir), seed, o.initialWeights);
  }
  // A changed batch size or split size reshuffles the epoch's batches, so a half-done epoch restarts.
  const sameBatches = pc !== undefined && pc.batchSize === batchSize && pc.stepsPerEpoch === stepsPerEpoch;
  const config: RunConfig = {
    format: RUN_CONFIG_FORMAT,
    version: RUN_CONFIG_VERSION,
    model: modelName,
    modelOptions: src?.modelOptions ?? { ...(o.alpha !== undefined ? { alpha: o.alpha } : {}), ...(o.upsample !== undefined ? { upsample: o.upsample } : {}) },
    dataset: o.datasetSpec ?? src?.dataset ?? ds.name,
    ...(o.limit !== undefined ? { limit: o.limit } : src?.limit !== undefined ? { limit: src.limit } : {}),
    ...(o.valSplit !== undefined ? { valSplit: o.valSplit } : src?.valSplit !== undefined ? { valSplit: src.valSplit } : {}),
    inputShape,
    numClasses,
    seed,
    batchSize,
    epochs,
    lr,
    schedule: checkSchedule(tune?.schedule ?? o.schedule ?? src?.schedule ?? recipe?.schedule ?? TRAIN_DEFAULTS.schedule),
    ...(augmentShift > 0 ? { augmentShift } : {}),
    optimizer: pc && pc.optimizer.name === optName ? pc.optimizer : optimizerConfig(optName),
    epoch: pc?.epoch ?? 0,
    stepInEpoch: sameBatches ? pc!.stepInEpoch : 0,
    ...(sameBatches && pc!.stepInEpoch > 0 && pc!.partialEpoch ? { partialEpoch: pc!.partialEpoch } : {}),
    step: store.step,
    stepsPerEpoch,
    complete: false,
    backend: activeBackend(),
    ...(quantization ? { quantization } : {}),
    ...(src?.classNames ?? ds.classNames ? { classNames: [...(src?.classNames ?? ds.classNames)!] } : {}),
    task,
    ...(imageLoss ? { imageLoss } : {}),
  };
  if (prev) checkModelFitsTask(ir, modelName, task, inputShape, ds);
  // The checkpoint's own copy of the metrics matches its weights; metrics.json beside it may lag by the save a kill interrupted.
  const previous = pc && o.from ? prev!.metrics ?? readMetrics(o.from) : null;
  if (previous) previous.epochs = previous.epochs.filter((e) => e.epoch <= config.epoch);
  const have = new Set(previous?.epochs.map((e) => e.epoch));
  const missing = Array.from({ length: pc && o.from ? config.epoch : 0 }, (_, i) => i + 1).filter((e) => !have.has(e));
  const historyNotice = missing.length
    ? `the metrics of ${o.from} lack epoch${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (its metrics.json was missing or older than the checkpoint); metrics.json continues without them`
    : undefined;
  return { ir, store, config, previous, report, ...(historyNotice ? { historyNotice } : {}), ...(tune ? { fineTune: tune } : {}) };
}

/** Output and input shapes against the task and dataset, before any step: one sentence when they do not fit. */
function checkModelFitsTask(ir: Graph, modelName: string, task: TaskName, inputShape: [number, number, number], ds: Dataset): void {
  const { height: h, width: w, channels: c } = ds.train;
  if (task !== 'classify' && (ds.task ?? 'classify') === task && (inputShape[0] !== h || inputShape[1] !== w || inputShape[2] !== c)) {
    throw new UserError(`model '${modelName}' takes ${inputShape.join('×')} inputs but --task ${task} compares outputs pixel by pixel with dataset '${ds.name}''s ${h}×${w}×${c} images; build it for ${h}×${w}×${c}`);
  }
  checkTaskFits(task, modelName, analyze(ir).shapes.get(ir.outputs[0]!)!, ds);
}

/** The task's loss and score for a run's model. */
export function runObjective(ir: Graph, config: RunConfig): Objective {
  return objectiveFor(runTask(config), analyze(ir).shapes.get(ir.outputs[0]!)!, config.imageLoss);
}

/**
 * How many replicas --workers auto tries against one process, or 1 and why
 * it does not try: where a second replica cannot pay or cannot be measured.
 */
function autoReplicas(config: RunConfig, objective: Objective, microBatch: number, stepsLeft: number): { replicas: number; why: string } {
  const cores = workerCores();
  const replicas = Math.min(cores, Math.floor(config.batchSize / 8));
  const backend = activeBackend();
  const why = cores < 2 ? 'one core'
    : backend !== 'wasm' && backend !== 'cpu' ? `the ${backend} backend trains in one process`
      : replicas < 2 ? `a batch of ${config.batchSize} is too small to share`
          : stepsLeft < AUTO_PROBE.minSteps ? `${stepsLeft} steps are too few to measure a second replica`
            : microBatch < Math.ceil(config.batchSize / replicas) ? 'a shard would not fit a worker\'s wasm heap'
              : '';
  return why ? { replicas: 1, why } : { replicas, why };
}

/**
 * Images per pass of a step: measured on the wasm backend before the first
 * step, split into micro-batches (one line says so) when the batch would
 * not fit, refused in one sentence when one image would not.
 */
function fitStepInMemory(
  graph: TrainGraph, vars: ReadonlyMap<string, tf.Variable>, config: RunConfig, o: TrainOptions, objective: Objective, replicas: number,
): { microBatch: number; notice?: string } {
  if (o.microBatch !== undefined) positiveInt(o.microBatch, '--micro-batch');
  const memory = measureStepMemory(graph, vars, config.inputShape, objective);
  if (!memory) return { microBatch: o.microBatch ?? Infinity };
  const perReplica = Math.ceil(config.batchSize / replicas);
  const plan = planStep(memory, perReplica, `${config.model} at ${config.inputShape.join('×')}`, o.microBatch);
  if (plan.microBatch < perReplica) {
    if (replicas > 1) {
      throw new UserError(`a ${perReplica}-image shard per worker needs about ${formatBytes(plan.wholeBatchBytes)}, more than a worker's wasm heap holds; `
        + `use --workers 1 (the batch is then split into micro-batches) or a --batch of at most ${plan.microBatch * replicas}`);
    }
    return { microBatch: plan.microBatch, notice: describePlan(plan, o.microBatch !== undefined) };
  }
  return { microBatch: plan.microBatch };
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const o = { ...options, dataset: isAsyncIterable(options.dataset) ? await collectBatches(options.dataset) : options.dataset };
  const runDir = o.outDir === undefined ? null : resolve(o.outDir);
  const resumingInPlace = o.from !== undefined && resolve(o.from) === runDir;
  if (resumingInPlace && o.quantize !== undefined && loadCheckpoint(o.from!).config.quantization === undefined) {
    throw new UserError(`--quantize --from ${o.from} starts a new quantized run from that float run; name a different --out`);
  }
  if (runDir !== null) {
    // A run killed mid-save is put back in order first: its last complete checkpoint current, temp files gone.
    recoverRunDir(runDir);
    if (!resumingInPlace && existsSync(checkpointDir(runDir))) {
      throw new UserError(`${o.outDir} already holds a run; choose another --out, or continue it with --from ${o.outDir}`);
    }
  }
  const { ir, store, config, previous, report, historyNotice, fineTune } = prepare(o);
  const progress = o.progress ?? silentProgress;
  let parallel: ParallelStepper | null = null;
  try {
    if (runDir !== null) mkdirSync(runDir, { recursive: true });
    const analyzed = analyze(ir);
    const q = config.quantization;
    const trainGraph = buildTrainGraph(analyzed, store, q ? { qat: { config: q.config, startStep: q.startStep } } : {});
    const evalGraph = buildEvalGraph(analyzed, store);
    // Learned ranges are trained like weights once the quant delay is over.
    const kinds: VariableKind[] = q?.config.rangeMode === 'learned' ? ['weight', 'range'] : ['weight'];
    const optimizer = createOptimizer(config.optimizer, store, kinds);
    const objective = runObjective(ir, config);
    // --workers: one replica here plus workers − 1 in worker threads, gradients combined per step.
    const fixed = o.workers === 'auto' ? 1 : o.workers ?? 1;
    const fitted = fitStepInMemory(trainGraph, store.trainable(kinds), config, o, objective, fixed);
    const auto = o.workers === 'auto' ? autoReplicas(config, objective, fitted.microBatch, config.epochs * config.stepsPerEpoch - store.step) : null;
    const replicas = auto ? auto.replicas : fixed;
    if (replicas > 1) {
      const started = createParallelStepper({
        graph: trainGraph, store, optimizer, kinds, replicas, objective, ...(q ? { qat: { config: q.config, startStep: q.startStep } } : {}),
      });
      // Replicas asked for by number must start; under auto, workers that cannot start leave the run in one process.
      parallel = auto ? await started.catch((e: unknown) => {
        auto.why = `the workers did not start: ${e instanceof Error ? e.message : String(e)}`;
        return null;
      }) : await started;
    }
    const single = parallel && !auto ? null : createStepper(trainGraph, store, optimizer, kinds, fitted.microBatch, objective);
    let probe: AutoStepper | null = null;
    if (auto && parallel) {
      probe = probingStepper(single!, parallel, (d) => progress.line(describeDecision(d, replicas)));
    }
    const stepper = probe ?? parallel ?? single!;
    const meter = bufferMeter();
    meter?.resetPeak();
    const totalSteps = config.epochs * config.stepsPerEpoch;
    const started = Date.now();
    const metrics: RunMetrics = {
      format: 'qat-metrics', model: config.model, dataset: config.dataset, backend: config.backend, seed: config.seed,
      batchSize: config.batchSize, optimizer: config.optimizer.name, lr: config.lr, schedule: config.schedule,
      epochs: previous?.epochs ?? [], wallSeconds: previous?.wallSeconds ?? 0,
      finalTestAccuracy: previous?.epochs.at(-1)?.testAccuracy ?? null, complete: false,
    };
    const priorWall = metrics.wallSeconds;
    const save = (complete: boolean): void => {
      config.step = store.step;
      config.complete = complete;
      metrics.complete = complete;
      metrics.wallSeconds = priorWall + (Date.now() - started) / 1000;
      if (runDir === null) return;
      saveCheckpoint(runDir, ir, config, store, metrics);
      savedEpoch = `epoch ${config.epoch}${config.stepInEpoch ? ` step ${config.stepInEpoch}` : ''}`;
      writeMetrics(runDir, metrics);
    };
    // What the run directory holds if this session stops now, for the divergence message.
    let savedEpoch = resumingInPlace ? `epoch ${config.epoch}${config.stepInEpoch ? ` step ${config.stepInEpoch}` : ''}` : null;
    const diverged = (where: string, what: string): UserError => {
      const lr = Math.min(config.lr / 10, DEFAULT_LR[config.optimizer.name as OptimizerName] ?? config.lr / 10);
      const next = savedEpoch
        ? `nothing of it was saved: the run's latest checkpoint is still ${savedEpoch}; resume it with a smaller learning rate: qat train --from ${o.outDir} --lr ${lr}`
        : `no checkpoint was saved; start again with a smaller --lr (e.g. --lr ${lr})`;
      return new UserError(`training diverged at ${where}: ${what}; ${next}`);
    };
    o.onStart?.(ir, config, report, fineTune);
    if (fitted.notice) progress.line(fitted.notice);
    if (auto && !parallel) progress.line(`workers auto: one process (${auto.why})`);
    if (historyNotice) progress.line(historyNotice);
    if (config.epoch >= config.epochs) {
      progress.line(`already trained ${config.epoch} of ${config.epochs} epochs; pass a larger --epochs to continue`);
    }
    for (let epoch = config.epoch + 1; epoch <= config.epochs; epoch++) {
      const skip = config.stepInEpoch;
      // A resumed epoch carries on the sums of its steps before the interruption.
      const before = skip > 0 ? config.partialEpoch : undefined;
      let k = 0;
      let images = before?.images ?? 0;
      let lossSum = before?.lossSum ?? 0;
      let correct = before?.correct ?? 0;
      let trainMs = (before?.trainSeconds ?? 0) * 1000;
      let lr = config.lr;
      for (const batch of batches(o.dataset.train, config.batchSize, { shuffle: true, seed: mixSeed(config.seed, epoch), inputShape: config.inputShape, shift: config.augmentShift ?? 0 })) {
        if (k++ < skip) continue;
        lr = learningRate(config.schedule, config.lr, store.step, totalSteps);
        const t0 = performance.now();
        const r = await stepper.run(batch, lr, mixSeed(config.seed, store.step));
        trainMs += performance.now() - t0;
        const health = parameterHealth(store, kinds);
        if (health.fault || !Number.isFinite(r.loss)) {
          throw diverged(`step ${store.step} (epoch ${epoch})`, `${Number.isFinite(r.loss) ? '' : `the loss is ${r.loss} and `}${health.fault ? describeFault(health.fault) : describeLargest(health.largest)}`);
        }
        images += batch.n;
        lossSum += r.loss * batch.n;
        correct += r.correct;
        progress.step({
          epoch, epochs: config.epochs, step: k, steps: config.stepsPerEpoch,
          loss: lossSum / images, accuracy: correct / images, imagesPerSec: images / (trainMs / 1000),
          ...(meter ? { peakBytes: meter.peak() } : {}),
        });
        await yieldToEventLoop(); // lets a SIGINT handler run between steps
        if (o.signal?.aborted) {
          config.epoch = epoch - 1;
          config.stepInEpoch = k;
          config.partialEpoch = { images, lossSum, correct, trainSeconds: trainMs / 1000 };
          save(false);
          progress.line(`interrupted at epoch ${epoch} step ${k}/${config.stepsPerEpoch}; ${runDir === null ? 'nothing saved (no output directory)' : `checkpoint saved to ${checkpointDir(runDir)} (resume with --from ${o.outDir})`}`);
          return { runDir, ir, config, metrics, interrupted: true, store, report };
        }
      }
      const e0 = performance.now();
      const test = await evaluate(evalGraph, o.dataset.test, { batchSize: o.evalBatchSize ?? 256, task: objective.task, ...(config.imageLoss ? { imageLoss: config.imageLoss } : {}) });
      // Finite weights can still give a non-finite test loss (moving statistics or activations overflowing); such an epoch is not saved.
      if (test.count > 0 && !Number.isFinite(test.loss)) {
        throw diverged(`the end of epoch ${epoch} (step ${store.step})`, `the test loss is ${test.loss}; ${describeLargest(parameterHealth(store, kinds).largest)}`);
      }
      const row: EpochMetrics = {
        epoch, step: store.step, lr,
        trainLoss: images ? lossSum / images : NaN, trainAccuracy: images ? correct / images : NaN,
        testLoss: test.loss, testAccuracy: test.accuracy,
        ...(test.miou !== undefined ? { testMiou: test.miou } : {}), ...(test.psnr !== undefined ? { testPsnr: test.psnr } : {}),
        images, trainSeconds: trainMs / 1000, evalSeconds: (performance.now() - e0) / 1000,
        imagesPerSec: trainMs > 0 ? images / (trainMs / 1000) : 0,
      };
      metrics.epochs.push(row);
      metrics.finalTestAccuracy = test.count ? test.accuracy : null;
      config.epoch = epoch;
      config.stepInEpoch = 0;
      delete config.partialEpoch;
      save(epoch === config.epochs);
      progress.line(
        `epoch ${epoch}/${config.epochs}  loss ${row.trainLoss.toFixed(4)}  train acc ${(100 * row.trainAccuracy).toFixed(2)}%  `
        + `test loss ${row.testLoss.toFixed(4)}  test acc ${(100 * row.testAccuracy).toFixed(2)}%  `
        + (row.testMiou !== undefined ? `test mIoU ${(100 * row.testMiou).toFixed(2)}%  ` : '')
        + (row.testPsnr !== undefined ? `test PSNR ${row.testPsnr.toFixed(2)} dB  ` : '')
        + `${row.imagesPerSec.toFixed(1)} img/s  ${row.trainSeconds.toFixed(1)}s`,
      );
    }
    if (config.epoch >= config.epochs && !config.complete) save(true);
    return { runDir, ir, config, metrics, interrupted: false, store, report };
  } catch (e) {
    store.dispose();
    throw e;
  } finally {
    await parallel?.close();
  }
}
