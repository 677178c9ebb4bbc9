// A minimal grayscale PNG writer (8-bit, no row filters) so the demo can
// leave a test digit that `qat run --input digit.png` and image viewers read.
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
}

/**
 * An 8-bit PNG (colour type 0 gray, 2 RGB, 6 RGBA) around `scanlines`: each
 * row already led by its filter-type byte, as the IDAT stream holds them.
 */
export function pngFile(width: number, height: number, colorType: 0 | 2 | 6, scanlines: Uint8Array): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth; compression, filter and interlace methods stay 0
  ihdr[9] = colorType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(scanlines)), chunk('IEND', new Uint8Array(0)),
  ]);
}

/** `values` in [0, 1], row-major height × width. */
export function grayPng(values: ArrayLike<number>, width: number, height: number): Uint8Array {
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      raw[y * (width + 1) + 1 + x] = Math.round(255 * Math.min(1, Math.max(0, values[y * width + x]!)));
    }
  }
  return pngFile(width, height, 0, raw);
}
