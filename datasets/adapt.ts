// Fitting 28×28×1 datasets to models that want other inputs (MobileNets take
// 32×32×3 or 96×96×3). Spatially we either pad with zeros around the centre —
// the classic LeNet treatment of MNIST, lossless, and right when the target is
// only a little larger — or resize bilinearly. Channels are replicated 1→C
// (a grey image as RGB) or averaged C→1.

import { UserError } from '../src/errors.js';
import type { Split } from './types.js';

/** [height, width, channels] of one image. */
export type ImageShape = [number, number, number];

/**
 * 'auto' pads when the target is at least as large as the source in both
 * dimensions and at most 1.25× larger (28→32 pads), otherwise resizes.
 */
export type AdaptMode = 'auto' | 'pad' | 'resize';

const PAD_MAX_GROWTH = 1.25;

function sameShape(a: ImageShape, b: ImageShape): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}

function fmt(s: ImageShape): string {
  return `${s[0]}×${s[1]}×${s[2]}`;
}

function checkShape(s: ImageShape, what: string): void {
  if (s.length !== 3 || !s.every((d) => Number.isInteger(d) && d > 0)) {
    throw new UserError(`The ${what} shape must be three positive integers [height, width, channels], got [${s.join(', ')}].`);
  }
}

export function chooseSpatialMode(from: ImageShape, to: ImageShape): 'pad' | 'resize' {
  const fits = (src: number, dst: number): boolean => dst >= src && dst <= src * PAD_MAX_GROWTH;
  return fits(from[0], to[0]) && fits(from[1], to[1]) ? 'pad' : 'resize';
}

/** Zero-pads each image to toH×toW with the original centred (extra row/col goes bottom/right). */
export function padImages(images: Float32Array, count: number, from: ImageShape, toH: number, toW: number): Float32Array {
  const [h, w, c] = from;
  if (toH < h || toW < w) throw new UserError(`Cannot pad ${fmt(from)} images down to ${toH}×${toW}.`);
  const top = Math.floor((toH - h) / 2);
  const left = Math.floor((toW - w) / 2);
  const out = new Float32Array(count * toH * toW * c);
  const rowLen = w * c;
  for (let n = 0; n < count; n++) {
    const src = n * h * w * c;
    const dst = n * toH * toW * c;
    for (let y = 0; y < h; y++) {
      const s = src + y * rowLen;
      out.set(images.subarray(s, s + rowLen), dst + ((y + top) * toW + left) * c);
    }
  }
  return out;
}

interface AxisTaps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float64Array;
}

// Half-pixel centres (as tf.image.resizeBilinear with halfPixelCenters, and
// PIL/OpenCV): output pixel i samples input coordinate (i + 0.5)·in/out − 0.5.
function axisTaps(inSize: number, outSize: number): AxisTaps {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const pos = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), inSize - 1);
    const l = Math.floor(pos);
    lo[i] = l;
    hi[i] = Math.min(l + 1, inSize - 1);
    frac[i] = pos - l;
  }
  return { lo, hi, frac };
}

export function resizeBilinear(images: Float32Array, count: number, from: ImageShape, toH: number, toW: number): Float32Array {
  const [h, w, c] = from;
  const ys = axisTaps(h, toH);
  const xs = axisTaps(w, toW);
  const out = new Float32Array(count * toH * toW * c);
  let p = 0;
  for (let n = 0; n < count; n++) {
    const base = n * h * w * c;
    for (let y = 0; y < toH; y++) {
      const r0 = base + ys.lo[y] * w * c;
      const r1 = base + ys.hi[y] * w * c;
      const fy = ys.frac[y];
      for (let x = 0; x < toW; x++) {
        const c0 = xs.lo[x] * c;
        const c1 = xs.hi[x] * c;
        const fx = xs.frac[x];
        for (let k = 0; k < c; k++) {
          // lerp as a + (b − a)·t so a constant image stays exactly constant.
          const a = images[r0 + c0 + k];
          const b = images[r0 + c1 + k];
          const d = images[r1 + c0 + k];
          const e = images[r1 + c1 + k];
          const top = a + (b - a) * fx;
          const bottom = d + (e - d) * fx;
          out[p++] = top + (bottom - top) * fy;
        }
      }
    }
  }
  return out;
}

/** 1→C replicates, C→1 averages; any other change of channel count is refused. */
export function convertChannels(images: Float32Array, pixels: number, fromC: number, toC: number): Float32Array {
  if (fromC === toC) return images;
  const out = new Float32Array(pixels * toC);
  if (fromC === 1) {
    for (let i = 0; i < pixels; i++) {
      const v = images[i];
      for (let k = 0; k < toC; k++) out[i * toC + k] = v;
    }
    return out;
  }
  if (toC === 1) {
    for (let i = 0; i < pixels; i++) {
      let sum = 0;
      for (let k = 0; k < fromC; k++) sum += images[i * fromC + k];
      out[i] = sum / fromC;
    }
    return out;
  }
  throw new UserError(`Cannot adapt ${fromC}-channel images to ${toC} channels: only 1→N replication and N→1 averaging are supported.`);
}

/**
 * Converts `count` NHWC images of shape `from` to shape `to`. Returns the
 * input array itself when the shapes already match.
 */
export function adaptImages(
  images: Float32Array, count: number, from: ImageShape, to: ImageShape, mode: AdaptMode = 'auto',
): Float32Array {
  checkShape(from, 'source image');
  checkShape(to, 'target image');
  if (images.length !== count * from[0] * from[1] * from[2]) {
    throw new Error(`adaptImages: ${images.length} values do not hold ${count} images of ${fmt(from)}.`);
  }
  if (sameShape(from, to)) return images;
  // Fewer channels first and more channels last, so the spatial pass touches as few values as possible.
  let data = images;
  let shape: ImageShape = [...from];
  if (to[2] < shape[2]) {
    data = convertChannels(data, count * shape[0] * shape[1], shape[2], to[2]);
    shape = [shape[0], shape[1], to[2]];
  }
  if (shape[0] !== to[0] || shape[1] !== to[1]) {
    const spatial = mode === 'auto' ? chooseSpatialMode(shape, to) : mode;
    data = spatial === 'pad' ? padImages(data, count, shape, to[0], to[1]) : resizeBilinear(data, count, shape, to[0], to[1]);
    shape = [to[0], to[1], shape[2]];
  }
  if (shape[2] !== to[2]) data = convertChannels(data, count * shape[0] * shape[1], shape[2], to[2]);
  return data;
}

/**
 * A copy of `split` at `inputShape` (the split itself when it already fits).
 * This materialises every image: 60,000 images at 96×96×3 would take 6.6 GB,
 * so for large targets pass `inputShape` to `batches()` and adapt per batch.
 */
export function adaptSplit(split: Split, inputShape: ImageShape, mode: AdaptMode = 'auto'): Split {
  const from: ImageShape = [split.height, split.width, split.channels];
  checkShape(inputShape, 'model input');
  if (sameShape(from, inputShape)) return split;
  return {
    images: adaptImages(split.images, split.count, from, inputShape, mode),
    labels: split.labels,
    count: split.count,
    height: inputShape[0],
    width: inputShape[1],
    channels: inputShape[2],
  };
}
