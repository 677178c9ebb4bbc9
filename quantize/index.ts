// Public surface of the rewrite side of quantize/: the QAT config, the
// pattern table and rewrite pass, and the fold / qparams functions shared
// with the exporter.
export { QAT_DEFAULTS, resolveQatConfig, activationBits, weightBitsOf, inputRangeFromMeanStd, type QatConfig, type RangeMode, type LayerQuantOverride } from './config.js';
export { PATTERNS, type Pattern, type ChainStep, type EmitterName, type Slot } from './patterns.js';
export { rewriteForQat, SOFTMAX_RANGE, type RewriteResult } from './rewrite.js';
export { isQuantizedGraph } from './op-table.js';
export { foldedParams, movingFoldScale, scaleKernel, outputChannels, isQConvLike, QCONV_OPS, type QConvLikeNode, type ParamLookup } from './fold.js';
export {
  weightRanges, weightAbsMax, weightQuantView, activationRange, quantizeBias, dequantizeBias, biasScales, inputQuantizer,
} from './qparams.js';
export {
  OP_TABLE, opsWhere, keepsInputRange, KEEPS_INPUT_RANGE, QAT_OPS, FIXED_OUTPUT_QUANT, fixedOutputRange, fixedOutputOf, TFLITE_FUSED_ACTIVATION,
  INT4_ROUNDING, storesInt4, type OpQuantRow, type OutputRule, type FixedQuantOp, type Builtin, type WeightedBuiltin,
} from './op-table.js';
export { consumersOf, rangeSource, inputFakeQuant, outputFakeQuants } from './graph.js';
