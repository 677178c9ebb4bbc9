// QatModel: a QAT-rewritten graph with its variables, driven by the
// caller's own training loop. One call of apply(x, { training: true }) is
// one step of the train graph, as one call of a Keras model in training
// mode is: BN batch statistics, dropout, fake quant, and afterwards the BN
// moving statistics and observed activation ranges stored and the step
// counter (quant delay, BN freeze, dropout seeds) advanced.
import * as tf from '@tensorflow/tfjs';
import { exportGraph } from '../../export/export.js';
import type { ExportOptions, ExportResult } from '../../export/types.js';
import type { QatConfig } from '../../quantize/config.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import {
  applyRangeUpdates, applyStatUpdates, buildCalibrationGraph, buildEvalGraph, buildTrainGraph,
  type CalibrationGraph, type EvalGraph, type RangeUpdate, type StatUpdate, type TrainGraph,
} from '../../train/graph/build.js';
import { mixSeed } from '../../train/random.js';
import { MODEL_KINDS, type VariableKind, type VariableStore } from '../../train/state.js';
import { UserError } from '../errors.js';
import type { InputRescaling } from '../import/import.js';
import { analyze, type AnalyzedGraph } from '../ir/analyze.js';
import type { Graph } from '../ir/types.js';
import type { RunQuantization } from '../run/config.js';
import { loadCheckpoint, restoreStore, saveModelRun } from '../platform/node.js';
import { resolveQuantizeConfig, type QuantizeConfig } from './config.js';

export interface ApplyOptions {
  /**
   * true: the train graph (batch statistics, dropout, fake quant); its BN
   * moving statistics and activation ranges are updated after the pass.
   * false (default): the eval graph, computing exactly what the exported
   * int8 model computes (no gradients flow through it).
   */
  training?: boolean;
}

export interface QatModelParts {
  /** The QAT IR (after rewriteForQat). */
  graph: Graph;
  store: VariableStore;
  quantization: RunQuantization;
  /** Zoo name, or the imported model's name. */
  model: string;
  seed: number;
  inputRescaling?: InputRescaling;
}

export class QatModel {
  /** The QAT graph IR: fake quant inserted, BN folded into the layers it follows. */
  readonly graph: Graph;
  /** The quantization it was rewritten with (defaults filled in). */
  readonly config: QatConfig;
  /** Layers the rewrite left float, and why. */
  readonly report: string[];
  /** Input shape without the batch dimension. */
  readonly inputShape: number[];
  /** Set when an imported model began with a Rescaling layer: feed it x·scale + offset (see ImportedModel). */
  readonly inputRescaling?: InputRescaling;
  private readonly analyzed: AnalyzedGraph;
  private readonly store: VariableStore;
  private readonly quantization: RunQuantization;
  private readonly modelName: string;
  private readonly seed: number;
  private readonly trainGraph: TrainGraph;
  private evalCache: EvalGraph | null = null;
  private calibration: CalibrationGraph | null = null;
  private observed = 0;

  constructor(parts: QatModelParts) {
    this.graph = parts.graph;
    this.analyzed = analyze(parts.graph);
    this.store = parts.store;
    this.quantization = parts.quantization;
    this.config = parts.quantization.config;
    this.report = parts.quantization.report;
    this.modelName = parts.model;
    this.seed = parts.seed;
    this.inputShape = [...this.analyzed.shapes.get(this.analyzed.inputs[0]!)!];
    if (parts.inputRescaling) this.inputRescaling = parts.inputRescaling;
    this.trainGraph = buildTrainGraph(this.analyzed, this.store, { qat: { config: this.config, startStep: parts.quantization.startStep } });
  }

  /** The variables a loss has gradients for: weights, plus activation ranges when they are learned. */
  get trainableVariables(): tf.Variable[] {
    const kinds: VariableKind[] = this.config.rangeMode === 'learned' ? ['weight', 'range'] : ['weight'];
    return [...this.store.trainable(kinds).values()];
  }

  /** Every model variable by name: weights, BN moving statistics, activation ranges. */
  get variables(): ReadonlyMap<string, tf.Variable> {
    return new Map(this.store.list(MODEL_KINDS).map((e) => [e.name, e.variable]));
  }

  /** Training-mode passes so far (what quant delay and BN freeze count). */
  get step(): number {
    return this.store.step - this.quantization.startStep;
  }

  /**
   * The model's output (logits, or whatever its last layer computes) for a
   * batch x of shape [batch, ...inputShape]. Call it inside tf.variableGrads
   * / optimizer.minimize with training: true; every other tensor it makes is
   * freed before it returns.
   */
  apply(x: tf.Tensor, options: ApplyOptions = {}): tf.Tensor {
    if (!options.training) return this.evalGraph().run(x as tf.Tensor4D);
    let stats: StatUpdate[] = [];
    let ranges: RangeUpdate[] = [];
    const stepSeed = mixSeed(this.seed, this.store.step);
    const out = tf.tidy(() => {
      const r = this.trainGraph.run(x as tf.Tensor4D, { stepSeed });
      stats = r.statUpdates;
      ranges = r.rangeUpdates;
      return r.logits;
    });
    // The pass is complete, so storing the new values now changes nothing it computed (gradients use what it read).
    applyStatUpdates(this.store, stats);
    applyRangeUpdates(this.store, ranges);
    this.store.setStep(this.store.step + 1);
    return out;
  }

  /**
   * Post-training calibration: runs x in inference mode and moves every
   * activation range to the mean of the ranges of all batches observed so
   * far (the first one sets them). No gradients, no step.
   */
  observe(x: tf.Tensor): void {
    this.calibration ??= buildCalibrationGraph(this.analyzed, this.store);
    this.calibration.observe(x as tf.Tensor4D, this.observed / (this.observed + 1));
    this.observed++;
  }

  /** The eval graph: integer arithmetic bit-exact with the int8 export; run() / runAll() (every layer's output). */
  evalGraph(): EvalGraph {
    this.evalCache ??= buildEvalGraph(this.analyzed, this.store);
    return this.evalCache;
  }

  /** The .tflite model (int8 by default; options as qat export's --mode, --input-type, --output-type). */
  toTflite(options: ExportOptions = {}): Uint8Array {
    return this.export(options).bytes;
  }

  /** toTflite with the export summary (I/O quantization, ops, notes). */
  export(options: ExportOptions = {}): ExportResult {
    return exportGraph(this.analyzed, this.store, options);
  }

  /** Writes a run directory (its checkpoint): QatModel.load, and qat export / eval / parity --run, read it. */
  save(dir: string): void {
    saveModelRun(dir, this.graph, this.store, { model: this.modelName, seed: this.seed, quantization: this.quantization });
  }

  /**
   * Opens a run directory: a quantized run as it is (`config` must then be
   * omitted), or a float run rewritten for QAT with `config` (its ranges
   * start unobserved, as in qat train --quantize --from).
   */
  static load(dir: string, config?: QuantizeConfig): QatModel {
    const ckpt = loadCheckpoint(dir);
    const q = ckpt.config.quantization;
    if (q) {
      if (config !== undefined) throw new UserError(`${dir} holds a quantized run, which keeps its own quantization; load it without a config`);
      return new QatModel({ graph: ckpt.ir, store: restoreStore(ckpt), quantization: q, model: ckpt.config.model, seed: ckpt.config.seed });
    }
    const qc = resolveQuantizeConfig(config);
    const { graph, report } = rewriteForQat(ckpt.ir, qc);
    const store = restoreStore(ckpt, { ir: graph, allowMissing: ['range'] });
    return new QatModel({ graph, store, quantization: { config: qc, startStep: store.step, from: dir, report }, model: ckpt.config.model, seed: ckpt.config.seed });
  }

  /** Frees every variable. */
  dispose(): void {
    this.store.dispose();
  }
}
