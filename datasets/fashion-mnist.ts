// Fashion-MNIST (Zalando): 60,000 train / 10,000 test 28×28 greyscale images
// of 10 clothing classes, in MNIST's IDX format. Debian's
// `dataset-fashion-mnist` installs the four gzipped files in
// /usr/share/datasets/fashion-mnist/.

import { existsSync } from 'node:fs';
import { UserError } from '../src/errors.js';
import { loadIdxDirectory, locateIdxFiles } from './directory.js';
import type { Dataset } from './types.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export async function loadFashionMnist(dataDir?: string): Promise<Dataset> {
  const dir = dataDir ?? FASHION_MNIST_DIR;
  if (!existsSync(dir)) {
    throw new UserError(
      `Fashion-MNIST was not found in ${dir}: install it with \`apt-get install dataset-fashion-mnist\` or pass --data-dir DIR holding its IDX files.`,
    );
  }
  try {
    locateIdxFiles(dir);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    throw new UserError(`${err.message.replace(/\.$/, '')}; install Fashion-MNIST with \`apt-get install dataset-fashion-mnist\` or pass --data-dir DIR.`);
  }
  return loadIdxDirectory(dir, {
    name: 'fashion-mnist',
    numClasses: 10,
    classNames: FASHION_MNIST_CLASSES,
    description: `Fashion-MNIST from ${dir}: its standard 60,000-image train and 10,000-image test splits.`,
  });
}
