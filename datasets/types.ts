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
}

export interface Dataset {
  name: string;
  numClasses: number;
  classNames?: string[];
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
}

/** One batch, ready to wrap in tf tensors. */
export interface Batch {
  x: Float32Array;
  /** Labels of this batch. */
  y: Int32Array;
  /** Number of examples (the last batch may be short). */
  n: number;
  shape: [number, number, number, number];
}
