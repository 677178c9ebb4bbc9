// quantizeModel's quantization settings: qat train's quantization flags
// in camelCase (--weight-bits → weightBits, --freeze-bn → freezeBn, …).
import { resolveQatConfig, type LayerQuantOverride, type QatConfig, type RangeMode } from '../../quantize/config.js';
import { UserError } from '../errors.js';

export interface QuantizeConfig {
  /** Activation bit width, 2–8 (default 8). */
  bits?: number;
  /** Weight bit width, 2–8 (default 8). */
  weightBits?: number;
  /** One weight range per output channel (default true). */
  perChannel?: boolean;
  /** One weight range per layer (the same as perChannel: false). */
  perTensor?: boolean;
  /** Layer names to leave in float: a list, or comma-separated as on the command line. */
  skip?: readonly string[] | string;
  /** Per-layer bit widths, by layer name. */
  layers?: Record<string, LayerQuantOverride>;
  /** Training steps of float computation (ranges observed) before fake quant turns on (default 0). */
  quantDelay?: number;
  /** Training step from which BN uses its moving statistics (default: never). */
  freezeBn?: number;
  /** Fix the input quantization to real = (q − mean)/std; with inputStd. */
  inputMean?: number;
  inputStd?: number;
  /** 'ema' (default): ranges follow observed min/max; 'learned': trained after the delay. */
  rangeMode?: RangeMode;
  /** EMA decay of observed ranges (default 0.99). */
  emaDecay?: number;
}

/** The validated QatConfig these settings describe; every problem is one UserError sentence. */
export function resolveQuantizeConfig(c: QuantizeConfig = {}): QatConfig {
  if (c.perTensor && c.perChannel) throw new UserError('perChannel and perTensor exclude each other');
  const skip = typeof c.skip === 'string' ? c.skip.split(',').map((s) => s.trim()).filter(Boolean) : [...(c.skip ?? [])];
  return resolveQatConfig({
    bits: c.bits,
    weightBits: c.weightBits,
    perChannel: c.perTensor ? false : c.perChannel,
    skip,
    layers: c.layers,
    quantDelay: c.quantDelay,
    ...(c.freezeBn !== undefined ? { freezeBnStep: c.freezeBn } : {}),
    inputMean: c.inputMean,
    inputStd: c.inputStd,
    rangeMode: c.rangeMode,
    emaDecay: c.emaDecay,
  });
}
