// The interpreter's kernels. Each op has a `prepare…` that does all float
// work once (multipliers, activation clamps, folded bias, lookup tables,
// scratch buffers) and an eval function over typed arrays whose loops are
// integer-only for int8 data. Output buffers are supplied by the caller, sized
// from the params' `outputShape` where the op has one.

export * from './types.js';
export * from './broadcast.js';
export * from './conv2d.js';
export * from './conv2d_hybrid.js';
export * from './depthwise_conv2d.js';
export * from './depthwise_conv2d_hybrid.js';
export * from './fully_connected.js';
export * from './add.js';
export * from './sub.js';
export * from './mul.js';
export * from './concatenation.js';
export * from './max_pool2d.js';
export * from './average_pool2d.js';
export * from './mean.js';
export * from './reshape.js';
export * from './pad.js';
export * from './softmax.js';
export * from './lut.js';
export * from './logistic.js';
export * from './tanh.js';
export * from './hard_swish.js';
export * from './quantize.js';
export * from './dequantize.js';
export * from './relu.js';
export * from './leaky_relu.js';
export * from './prelu.js';
export * from './maximum_minimum.js';
export * from './reduce_max.js';
export * from './xnnpack.js';
export { fixedPointMultiply, type RequantizedOutput } from './requant.js';
export * from './transpose_conv.js';
export * from './resize_bilinear.js';
export * from './resize_nearest.js';
export * from './axis_gather.js';
export * from './mirror_pad.js';
export * from './strided_slice.js';
export * from './squared_difference.js';
export * from './rsqrt.js';
