// Public surface of export/: a float or QAT graph + a lookup of its parameters → .tflite.
export { exportGraph, checkExportOptions, isQatGraph } from './export.js';
export { formatSummary } from './summary.js';
export {
  EXPORT_MODES, IO_TYPES, type ExportMode, type IoType, type DynamicConvWeights, type ExportOptions, type ExportResult,
  type ExportSummary, type IoTensorSummary, type IoQuantization,
} from './types.js';
