// Public surface of the rewrite side of quantize/: the QAT config, the
// pattern table and rewrite pass, and the fold / qparams functions shared
// with the exporter.
export { QAT_DEFAULTS, resolveQatConfig, activationBits, weightBitsOf, inputRangeFromMeanStd, type QatConfig, type RangeMode, type LayerQuantOverride } from './config.js';
export { PATTERNS, type Pattern, type ChainStep, type EmitterName, type Slot } from './patterns.js';
export { rewriteForQat, isQuantizedGraph, SOFTMAX_RANGE, type RewriteResult } from './rewrite.js';
export { foldedParams, movingFoldScale, scaleKernel, outputChannels, isQConvLike, QCONV_OPS, type QConvLikeNode, type ParamLookup } from './fold.js';
export {
  weightRanges, weightAbsMax, weightQuantView, activationRange, quantizeBias, dequantizeBias, biasScales, inputQuantizer, PASS_THROUGH_OPS,
} from './qparams.js';
