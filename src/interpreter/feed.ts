// Turning user data into an input tensor: real values quantized with the
// input's scale and zero point, images resized/channel-adapted and scaled.

import { UserError } from '../errors.js';
import type { Image } from '../io/png.js';
import type { TensorDetails } from './details.js';
import { num, shapeText } from './details.js';

/** q = round(x/scale) + zero_point, clamped to the dtype (round half away from zero, as TFLite's QUANTIZE reference). */
export function quantizeReal(values: ArrayLike<number>, d: TensorDetails): Int8Array | Uint8Array {
  if (d.scale === null || d.zeroPoint === null) throw new UserError(`input ${JSON.stringify(d.name)} is ${d.dtype} without a scale, so real values cannot be quantized for it.`);
  const out = d.dtype === 'uint8' ? new Uint8Array(values.length) : new Int8Array(values.length);
  const [lo, hi] = d.dtype === 'uint8' ? [0, 255] : [-128, 127];
  for (let i = 0; i < values.length; i++) {
    const x = values[i]! / d.scale;
    const r = x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
    const q = r + d.zeroPoint;
    out[i] = Number.isNaN(q) ? d.zeroPoint : q < lo ? lo : q > hi ? hi : q;
  }
  return out;
}

/** Height, width and channels an NHWC (or [1,H,W] gray) image input expects. */
export function imageGeometry(d: TensorDetails): { h: number; w: number; c: number } {
  const s = d.shape;
  if (s.length === 4 && s[0] === 1) return { h: s[1]!, w: s[2]!, c: s[3]! };
  if (s.length === 3 && s[0] === 1) return { h: s[1]!, w: s[2]!, c: 1 };
  throw new UserError(`input 0 has shape ${shapeText(s)}, which is not an image ([1,H,W,C] or [1,H,W]); pass a .bin or .npy file instead.`);
}

/**
 * The image as real values in [0,1] (or (pixel − mean)/std when both are
 * given), resized bilinearly to the input's H×W and adapted to its channels.
 */
export function imageToReal(img: Image, d: TensorDetails, pre: { mean?: number; std?: number }): { values: Float32Array; note: string } {
  const { h, w, c } = imageGeometry(d);
  if (c !== 1 && c !== 3) throw new UserError(`input 0 has ${c} channels; images can feed 1 (gray) or 3 (RGB) channels.`);
  const values = new Float32Array(h * w * c);
  const notes: string[] = [];
  if (img.width !== w || img.height !== h) notes.push(`resized ${img.width}×${img.height} → ${w}×${h} (bilinear)`);
  if (img.channels !== c) notes.push(img.channels === 3 ? 'converted RGB to gray (mean of R,G,B)' : 'repeated gray into R,G,B');
  const useStats = pre.mean !== undefined || pre.std !== undefined;
  if (useStats && (pre.mean === undefined || pre.std === undefined)) throw new UserError('--mean and --std go together; give both (e.g. --mean 127.5 --std 127.5) or neither.');
  if (useStats && !(pre.std! > 0)) throw new UserError(`--std must be positive; got ${pre.std}.`);
  notes.push(useStats ? `pixels p in 0..255 mapped to (p − ${num(pre.mean!)})/${num(pre.std!)}` : 'pixels scaled to [0,1] (p/255)');
  const sample = (x: number, y: number, ch: number): number => {
    // Bilinear at pixel centres, clamped at the borders.
    const fx = Math.min(Math.max(((x + 0.5) * img.width) / w - 0.5, 0), img.width - 1);
    const fy = Math.min(Math.max(((y + 0.5) * img.height) / h - 0.5, 0), img.height - 1);
    const x0 = Math.floor(fx), y0 = Math.floor(fy);
    const x1 = Math.min(x0 + 1, img.width - 1), y1 = Math.min(y0 + 1, img.height - 1);
    const ax = fx - x0, ay = fy - y0;
    const px = (xx: number, yy: number): number => {
      const base = (yy * img.width + xx) * img.channels;
      if (img.channels === c) return img.data[base + ch]!;
      if (img.channels === 1) return img.data[base]!;
      return (img.data[base]! + img.data[base + 1]! + img.data[base + 2]!) / 3;
    };
    const top = px(x0, y0) * (1 - ax) + px(x1, y0) * ax;
    const bottom = px(x0, y1) * (1 - ax) + px(x1, y1) * ax;
    return top * (1 - ay) + bottom * ay;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        const p = sample(x, y, ch);
        values[(y * w + x) * c + ch] = useStats ? (p - pre.mean!) / pre.std! : p / 255;
      }
    }
  }
  return { values, note: notes.join('; ') };
}


/**
 * Whether bytes handed in for an int8 input whose zero point is −128 look
 * like raw 0–255 pixels rather than int8 codes: such an input's real zero
 * (an image's dark background) is code −128 (byte 0x80), so a file with
 * many 0x00 bytes and almost no 0x80 ones is most likely unshifted pixels,
 * which the model would read as mid-range values.
 */
export function looksLikeRawPixels(bytes: Uint8Array, d: TensorDetails): boolean {
  if (d.dtype !== 'int8' || d.zeroPoint !== -128 || bytes.length < 16) return false;
  let zeros = 0;
  let codeMin = 0;
  for (const v of bytes) {
    if (v === 0x00) zeros++;
    else if (v === 0x80) codeMin++;
  }
  return zeros >= 0.1 * bytes.length && codeMin <= 0.001 * bytes.length;
}
