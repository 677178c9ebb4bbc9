// What to quantize and how: the one configuration object the rewrite pass,
// the QAT train graph and the CLI share. It is stored in a quantized run's
// config, so eval, resume and export rebuild exactly the same graphs.
import { UserError } from '../src/errors.js';
import { isBitWidth } from './math.js';

export type RangeMode = 'ema' | 'learned';

export interface LayerQuantOverride {
  /** Weight bit width of this layer (2..8). */
  weightBits?: number;
  /** Bit width of this layer's output activation (2..8). */
  bits?: number;
}

export interface QatConfig {
  /** Activation bit width (2..8). */
  bits: number;
  /** Weight bit width (2..8). */
  weightBits: number;
  /** Per-output-channel weight ranges (TFLite's int8 conv spec) instead of one per tensor. */
  perChannel: boolean;
  /** Layer names left in float (weights unquantized, no output fakeQuant of their own). */
  skip: string[];
  /** Per-layer bit widths, by the float layer's name. */
  layers?: Record<string, LayerQuantOverride>;
  /** Steps (counted from the start of QAT) during which fake quant is the identity while ranges are observed. */
  quantDelay: number;
  /** Step (counted from the start of QAT) from which BN uses its moving statistics and stops updating them; null = never. */
  freezeBnStep: number | null;
  /** 'ema': activation ranges follow an exponential moving average of batch min/max; 'learned': after the delay they are trained. */
  rangeMode: RangeMode;
  /** EMA decay of observed activation ranges. */
  emaDecay: number;
  /** Fixed input quantization real = (q − mean)/std on the signed grid; both or neither. */
  inputMean?: number;
  inputStd?: number;
}

export const QAT_DEFAULTS: QatConfig = {
  bits: 8,
  weightBits: 8,
  perChannel: true,
  skip: [],
  quantDelay: 0,
  freezeBnStep: null,
  rangeMode: 'ema',
  // TF's rewriter uses 0.999; fine-tuning runs here are a few hundred steps, so a shorter memory.
  emaDecay: 0.99,
};

function bad(msg: string): never {
  throw new UserError(msg);
}

const isBits = isBitWidth;

/** Fills defaults and validates; every problem is a one-sentence UserError. */
export function resolveQatConfig(partial: Partial<QatConfig> = {}): QatConfig {
  const c: QatConfig = { ...QAT_DEFAULTS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  c.skip = [...c.skip];
  if (!isBits(c.bits)) bad(`--bits must be an integer from 2 to 8, got ${c.bits}`);
  if (!isBits(c.weightBits)) bad(`--weight-bits must be an integer from 2 to 8, got ${c.weightBits}`);
  if (typeof c.perChannel !== 'boolean') bad('perChannel must be true or false');
  if (!Array.isArray(c.skip) || !c.skip.every((s) => typeof s === 'string' && s.length > 0)) bad('--skip must list layer names');
  if (!Number.isInteger(c.quantDelay) || c.quantDelay < 0) bad(`--quant-delay must be a non-negative integer, got ${c.quantDelay}`);
  if (c.freezeBnStep !== null && !(Number.isInteger(c.freezeBnStep) && c.freezeBnStep >= 0)) {
    bad(`--freeze-bn must be a non-negative integer, got ${c.freezeBnStep}`);
  }
  if (c.rangeMode !== 'ema' && c.rangeMode !== 'learned') bad(`rangeMode must be 'ema' or 'learned', got ${String(c.rangeMode)}`);
  if (!(typeof c.emaDecay === 'number' && c.emaDecay >= 0 && c.emaDecay < 1)) bad(`the EMA decay must be in [0, 1), got ${c.emaDecay}`);
  if ((c.inputMean === undefined) !== (c.inputStd === undefined)) bad('give --input-mean and --input-std together');
  if (c.inputMean !== undefined && !Number.isFinite(c.inputMean)) bad(`--input-mean must be a number, got ${c.inputMean}`);
  if (c.inputStd !== undefined && !(Number.isFinite(c.inputStd) && c.inputStd > 0)) bad(`--input-std must be a positive number, got ${c.inputStd}`);
  for (const [name, o] of Object.entries(c.layers ?? {})) {
    if (o.bits !== undefined && !isBits(o.bits)) bad(`layer '${name}': bits must be an integer from 2 to 8, got ${o.bits}`);
    if (o.weightBits !== undefined && !isBits(o.weightBits)) bad(`layer '${name}': weightBits must be an integer from 2 to 8, got ${o.weightBits}`);
  }
  return c;
}

/** Activation bits of a layer's output. */
export function activationBits(c: QatConfig, layer: string): number {
  return c.layers?.[layer]?.bits ?? c.bits;
}

/** Weight bits of a layer. */
export function weightBitsOf(c: QatConfig, layer: string): number {
  return c.layers?.[layer]?.weightBits ?? c.weightBits;
}

/**
 * The input range that mean/std describe on the signed grid of `bits`:
 * real = (q − mean)/std for q in [−2^(bits−1), 2^(bits−1) − 1].
 */
export function inputRangeFromMeanStd(mean: number, std: number, bits: number): [number, number] {
  const half = 2 ** (bits - 1);
  return [(-half - mean) / std, (half - 1 - mean) / std];
}
