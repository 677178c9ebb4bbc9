// Test-only PNG encoder: exercises the decoder with every row filter.
import { pngFile } from '../../src/io/png.js';

/** colorType 0 gray, 2 RGB, 6 RGBA; rows use filter (y % 5) to cover None/Sub/Up/Average/Paeth. */
export function encodePng(width: number, height: number, colorType: 0 | 2 | 6, pixels: Uint8Array): Uint8Array {
  const bpp = colorType === 0 ? 1 : colorType === 2 ? 3 : 4;
  const stride = width * bpp;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const f = y % 5;
    raw[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const v = pixels[y * stride + x];
      const a = x >= bpp ? pixels[y * stride + x - bpp] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? pixels[(y - 1) * stride + x - bpp] : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
      raw[y * (stride + 1) + 1 + x] = (v - pred) & 0xff;
    }
  }
  return pngFile(width, height, colorType, raw);
}
