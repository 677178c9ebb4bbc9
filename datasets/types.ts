// What every dataset loader returns: images as NHWC float32 in [0,1] and
// integer class labels, split into train and test.

export interface Split {
  /** count × height × width × channels, row-major NHWC, values in [0, 1]. */
  images: Float32Array;
  /** count class ids in [0, numClasses). */
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  /** Segmentation datasets: count × height × width class ids per pixel (0 = background). */
  masks?: Uint8Array;
  /** Image-to-image datasets: target images in [0, 1], shaped like `images`. */
  targets?: Float32Array;
}

/**
 * What a dataset's examples teach: one class per image, one class per
 * pixel (`masks`), or a target image per image (`targets`).
 */
export type DatasetTask = 'classify' | 'segment' | 'image';

export interface Dataset {
  name: string;
  numClasses: number;
  classNames?: string[];
  /** One or two sentences: where the data came from and how it was split. */
  description?: string;
  /** What its splits hold beyond per-image labels (default 'classify': nothing). */
  task?: DatasetTask;
  train: Split;
  test: Split;
}

export interface LoadOptions {
  /** Keep at most this many examples of each split. */
  limit?: number;
  /** Seed for synthetic data. */
  seed?: number;
  /** Where to look for IDX files (fashion-mnist, or a directory dataset). */
  dataDir?: string;
  /**
   * Directory datasets only: the number of classes (every label is checked
   * against it). Default: the largest label in either split + 1.
   */
  numClasses?: number;
  /** Synthetic data only: sizes and image shape (defaults 2000/500, 28×28×1). */
  synthetic?: SyntheticOptions;
  /** Image-folder datasets only: share of each class held out as the test split (default 0.2). */
  valSplit?: number;
}

export interface SyntheticOptions {
  trainCount?: number;
  testCount?: number;
  height?: number;
  width?: number;
  channels?: number;
}

/** One batch, ready to wrap in tf tensors. */
export interface Batch {
  x: Float32Array;
  /** Labels of this batch. */
  y: Int32Array;
  /** Number of examples (the last batch may be short). */
  n: number;
  shape: [number, number, number, number];
  /** Segmentation: n × height × width class ids per pixel. */
  masks?: Int32Array;
  /** Image-to-image: n × height × width × channels target values. */
  targets?: Float32Array;
}
