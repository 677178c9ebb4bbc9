// Op name → planner. A planner checks the op against its tensors, runs the
// kernel's prepare and returns the step that evaluates it.

import type { OpName } from '../../tflite/options.js';
import type { OpContext, Step } from './context.js';
import { planConv2d, planDepthwiseConv2d, planFullyConnected } from './conv.js';
import { planActivation, planBinary, planDequantize, planQuantize } from './elementwise.js';
import { planLeakyRelu, planPrelu } from './activation-extra.js';
import { planMaximumMinimum, planReduceMax } from './max-min.js';
import {
  planMirrorPad, planResize, planRsqrt, planSlice, planSquaredDifference, planStridedSlice, planTransposeConv,
} from './dense.js';
import { planConcat, planMean, planPad, planPool, planReshape, planSoftmax } from './shape.js';

export const PLANNERS: Readonly<Record<OpName, (ctx: OpContext) => Step>> = {
  ADD: planBinary,
  SUB: planBinary,
  MUL: planBinary,
  AVERAGE_POOL_2D: planPool,
  MAX_POOL_2D: planPool,
  CONCATENATION: planConcat,
  CONV_2D: planConv2d,
  DEPTHWISE_CONV_2D: planDepthwiseConv2d,
  FULLY_CONNECTED: planFullyConnected,
  DEQUANTIZE: planDequantize,
  QUANTIZE: planQuantize,
  HARD_SWISH: planActivation,
  LOGISTIC: planActivation,
  TANH: planActivation,
  RELU: planActivation,
  RELU6: planActivation,
  MEAN: planMean,
  PAD: planPad,
  RESHAPE: planReshape,
  SQUEEZE: planReshape,
  SOFTMAX: planSoftmax,
  LEAKY_RELU: planLeakyRelu,
  PRELU: planPrelu,
  MAXIMUM: planMaximumMinimum,
  MINIMUM: planMaximumMinimum,
  REDUCE_MAX: planReduceMax,
  TRANSPOSE_CONV: planTransposeConv,
  RESIZE_BILINEAR: planResize,
  RESIZE_NEAREST_NEIGHBOR: planResize,
  STRIDED_SLICE: planStridedSlice,
  SLICE: planSlice,
  MIRROR_PAD: planMirrorPad,
  SQUARED_DIFFERENCE: planSquaredDifference,
  RSQRT: planRsqrt,
};

export type { OpContext, Step, TensorInfo } from './context.js';
export { MAX_OP_VERSION, OP_TYPES, supportedOpList, checkVersion } from './support.js';
