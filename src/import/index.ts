export { importLayersModel, readWeights } from './from-file.js';
export { isModelFile, describeInputRescaling, type ImportOptions, type ImportedModel, type InputRescaling } from './import.js';
export { SUPPORTED_LAYERS } from './layers.js';
export type { WeightValue } from './weights.js';
export type { ModelJson, LayerJson, TopologyJson, WeightGroupJson, WeightEntryJson } from './format.js';
export { saveLayersModel } from './save.js';
export { importLayersModelFromMemory } from './memory.js';
