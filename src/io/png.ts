// PNG read and write, small enough to need no extra package: a decoder
// (8/16-bit gray, gray+alpha, RGB, RGBA, palette; non-interlaced) for
// `qat run --input digit.png`, and an 8-bit writer (no row filters) so the
// demo can leave a test digit that `qat run` and image viewers read.
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { UserError } from '../errors.js';
import { printableBytes } from './printable.js';

export interface Image {
  width: number;
  height: number;
  /** 1 (gray) or 3 (RGB); alpha is dropped. */
  channels: 1 | 3;
  /** height × width × channels, values 0..255. */
  data: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS_BY_COLOR_TYPE: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function decodePng(bytes: Uint8Array, what = 'the PNG file'): Image {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new UserError(`${what} is not a PNG file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0, height = 0, depth = 0, colorType = -1;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  while (pos + 8 <= bytes.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (pos + 12 + len > bytes.length) throw new UserError(`${what} is truncated inside its ${printableBytes(bytes.subarray(pos + 4, pos + 8))} chunk`);
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      const h = new DataView(body.buffer, body.byteOffset, body.byteLength);
      width = h.getUint32(0);
      height = h.getUint32(4);
      depth = body[8];
      colorType = body[9];
      if (body[12] !== 0) throw new UserError(`${what} is interlaced; save it without interlacing`);
    } else if (type === 'PLTE') palette = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const samples = CHANNELS_BY_COLOR_TYPE[colorType];
  if (!samples || (depth !== 8 && depth !== 16) || width === 0 || height === 0) {
    throw new UserError(`${what} has an unsupported format (color type ${colorType}, bit depth ${depth}); use 8-bit gray, RGB or RGBA`);
  }
  if (width * height > 64 * 1024 * 1024) throw new UserError(`${what} is ${width}×${height}, too large to be a model input`);
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch {
    throw new UserError(`${what} has corrupt image data`);
  }
  const bpp = samples * (depth / 8);
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) throw new UserError(`${what} has less image data than its ${width}×${height} header needs`);
  const pixels = unfilter(raw, height, stride, bpp, what);
  const channels: 1 | 3 = colorType === 2 || colorType === 6 || colorType === 3 ? 3 : 1;
  const data = new Uint8Array(width * height * channels);
  const step = depth / 8; // 16-bit samples keep their high byte
  for (let i = 0; i < width * height; i++) {
    const base = i * bpp;
    if (colorType === 3) {
      const idx = pixels[base];
      if (!palette || idx * 3 + 2 >= palette.length) throw new UserError(`${what} uses a palette entry it does not define`);
      data.set(palette.subarray(idx * 3, idx * 3 + 3), i * 3);
    } else {
      for (let c = 0; c < channels; c++) data[i * channels + c] = pixels[base + c * step];
    }
  }
  return { width, height, channels, data };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function unfilter(raw: Uint8Array, height: number, stride: number, bpp: number, what: string): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp] : 0;
      const b = y > 0 ? out[prev + x] : 0;
      const c = x >= bpp && y > 0 ? out[prev + x - bpp] : 0;
      let v = raw[src + x];
      switch (filter) {
        case 0: break;
        case 1: v += a; break;
        case 2: v += b; break;
        case 3: v += (a + b) >> 1; break;
        case 4: v += paeth(a, b, c); break;
        default: throw new UserError(`${what} has an invalid row filter (${filter}) in row ${y}`);
      }
      out[row + x] = v & 0xff;
    }
  }
  return out;
}

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
    Buffer.from(SIGNATURE),
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

/** `rgb`: height × width × 3 bytes, row-major. */
export function rgbPng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const raw = Buffer.alloc(height * (3 * width + 1));
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(3 * y * width, 3 * (y + 1) * width), y * (3 * width + 1) + 1);
  return pngFile(width, height, 2, raw);
}
