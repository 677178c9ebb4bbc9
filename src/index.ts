// Public library API: `import { ... } from 'qat'`.
export * from '../quantize/math.js';
export { UserError } from './errors.js';
export { selectBackend, activeBackend, BACKEND_NAMES, type BackendChoice, type BackendName } from './backend.js';
export type { Split, Dataset, LoadOptions, Batch } from '../datasets/types.js';
export { loadDataset, batches, adaptSplit, adaptImages, DATASET_NAMES, datasetHelp } from '../datasets/index.js';
