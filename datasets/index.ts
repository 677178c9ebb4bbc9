// Public surface of the datasets folder.

export type { Split, Dataset, DatasetTask, LoadOptions, Batch, SyntheticOptions } from './types.js';
export { loadDataset } from './load.js';
export { batches, batchCount, type BatchOptions } from './batches.js';
export {
  adaptSplit, adaptImages, padImages, resizeBilinear, convertChannels, chooseSpatialMode,
  type ImageShape, type AdaptMode,
} from './adapt.js';
export {
  DATASET_NAMES, DATASET_DESCRIPTIONS, DIRECTORY_DATASET_DESCRIPTION, datasetHelp, isDatasetName, type DatasetName,
} from './catalog.js';
export { limitSplit, gatherSplit } from './limit.js';
export { makeSynthetic, SYNTHETIC_CLASSES, SYNTHETIC_DEFAULTS } from './synthetic.js';
export { loadEmbeddedMnist, EMBEDDED_MNIST_DESCRIPTION } from './mnist.js';
export { loadFashionMnist, FASHION_MNIST_DIR, FASHION_MNIST_CLASSES } from './fashion-mnist.js';
export { loadIdxDirectory, locateIdxFiles } from './directory.js';
export { readIdx, readIdxImages, readIdxLabels, parseIdx, bytesToUnitFloats } from './idx.js';
export { seededRandom, seededPermutation } from './random.js';
export { arrayDataset, type ArrayDatasetOptions, type ArraySplit } from './memory.js';
export { loadImageFolder, isImageFolder, DEFAULT_VAL_SPLIT, IMAGE_FOLDER_DESCRIPTION, type ImageFolderOptions } from './image-folder.js';
export { segmentationFrom, denoisingFrom, DENOISE_SIGMA, type SegmentationLayout } from './dense.js';
export { paintCanvas, visibleBox, halveItem, INK, type Item, type Box, type Placement, type Canvas } from './canvas.js';
