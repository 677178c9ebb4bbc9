export type * from './types.js';
export { analyze, defaultParamRefs, type AnalyzedGraph } from './analyze.js';
export { GraphBuilder, type ConvOptions, type DepthwiseOptions, type PoolOptions } from './builder.js';
export { summary, layerRows, type LayerRow } from './summary.js';
export { graphToJSON, graphFromJSON, IR_FORMAT, IR_VERSION } from './json.js';
export { OP_SPECS, OP_NAMES, specOf, fmtShape } from './ops/index.js';
export type { OpSpec } from './ops/index.js';
