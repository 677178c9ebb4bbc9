// `--dataset SPEC` → a loaded Dataset. SPEC is a dataset name or a directory
// of IDX files; --limit is applied last so it behaves the same for all.

import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../src/errors.js';
import { DATASET_NAMES, isDatasetName } from './catalog.js';
import { denoisingFrom, segmentationFrom } from './dense.js';
import { loadIdxDirectory } from './directory.js';
import { isImageFolder, loadImageFolder } from './image-folder.js';
import { loadFashionMnist } from './fashion-mnist.js';
import { limitDataset } from './limit.js';
import { loadEmbeddedMnist } from './mnist.js';
import { makeSynthetic } from './synthetic.js';
import type { Dataset, LoadOptions } from './types.js';

async function loadUnlimited(spec: string, opts: LoadOptions): Promise<Dataset> {
  if (isDatasetName(spec)) {
    switch (spec) {
      case 'mnist':
        if (opts.dataDir === undefined) return loadEmbeddedMnist();
        return loadIdxDirectory(opts.dataDir, {
          name: 'mnist',
          numClasses: 10,
          description: `MNIST from the IDX files in ${opts.dataDir}, with their own train/test split.`,
        });
      case 'fashion-mnist':
        return loadFashionMnist(opts.dataDir);
      case 'synthetic':
        return makeSynthetic(opts.seed ?? 1, opts.synthetic);
      case 'mnist-seg':
        return segmentationFrom(await loadUnlimited('mnist', opts), spec, opts.seed ?? 1, { side: 28, halve: false });
      case 'fashion-seg':
        return segmentationFrom(await loadFashionMnist(opts.dataDir), spec, opts.seed ?? 1, { side: 28, halve: true });
      case 'fashion-denoise':
        return denoisingFrom(await loadFashionMnist(opts.dataDir), spec, opts.seed ?? 1);
    }
  }
  if (!looksLikePath(spec)) {
    throw new UserError(`Unknown dataset "${spec}": use ${DATASET_NAMES.join(', ')} or a directory holding IDX files.`);
  }
  if (isImageFolder(spec)) {
    return loadImageFolder(spec, { ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.valSplit !== undefined ? { valSplit: opts.valSplit } : {}) });
  }
  return loadIdxDirectory(spec, {
    name: spec,
    ...(opts.numClasses !== undefined ? { numClasses: opts.numClasses } : {}),
    description: `IDX files from ${resolve(spec)}.`,
  });
}

// A bare word that is neither a known name nor an existing path is most
// likely a misspelt name, and deserves the "unknown dataset" sentence.
function looksLikePath(spec: string): boolean {
  if (/[\\/]/.test(spec) || spec.startsWith('.') || spec.startsWith('~')) return true;
  try {
    statSync(spec);
    return true;
  } catch {
    return false;
  }
}

export async function loadDataset(spec: string, opts: LoadOptions = {}): Promise<Dataset> {
  if (opts.numClasses !== undefined && (!Number.isInteger(opts.numClasses) || opts.numClasses < 1 || opts.numClasses > 256)) {
    throw new UserError(`The number of classes must be an integer from 1 to 256, got ${opts.numClasses}.`);
  }
  const dataset = await loadUnlimited(spec, opts);
  return limitDataset(dataset, opts.limit);
}
