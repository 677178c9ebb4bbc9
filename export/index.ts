// Public surface of export/: a run (float or QAT graph + its variables) → .tflite.
export { exportGraph, exportRun, isQatGraph } from './export.js';
export { formatSummary } from './summary.js';
export {
  EXPORT_MODES, IO_TYPES, type ExportMode, type IoType, type DynamicConvWeights, type ExportOptions, type ExportResult,
  type ExportSummary, type IoTensorSummary, type IoQuantization,
} from './types.js';
