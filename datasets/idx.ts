// The IDX format of LeCun's MNIST files (and Fashion-MNIST, EMNIST, KMNIST):
// a 4-byte magic [0, 0, type, ndims], ndims big-endian uint32 sizes, then the
// raw row-major data. Only unsigned-byte data (type 0x08) is used by these
// datasets, so that is all we accept. Files may be gzipped; we detect that by
// the gzip magic bytes rather than the name, since renamed files are common.

import { readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { UserError } from '../src/errors.js';

const gunzipAsync = promisify(gunzip);

const UBYTE = 0x08;
const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64',
};

export interface IdxArray {
  dims: number[];
  /** Row-major payload; a view into the (decompressed) file bytes. */
  data: Uint8Array;
}

export interface IdxImages {
  count: number;
  height: number;
  width: number;
  channels: number;
  /** count × height × width × channels bytes, 0..255. */
  pixels: Uint8Array;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Reads a file from disk, gunzipping it when it starts with the gzip magic. */
export async function readMaybeGzipped(file: string): Promise<{ bytes: Uint8Array; gzipped: boolean }> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file} does not exist.`);
    if (code === 'EISDIR') throw new UserError(`${file} is a directory, not an IDX file.`);
    throw new UserError(`${file} cannot be read: ${(err as Error).message}.`);
  }
  if (!isGzip(raw)) return { bytes: raw, gzipped: false };
  try {
    return { bytes: await gunzipAsync(raw), gzipped: true };
  } catch (err) {
    throw new UserError(`${file} is a truncated or corrupt gzip file (${(err as Error).message}).`);
  }
}

/** Parses IDX bytes; `file` only names the source in error messages. */
export function parseIdx(bytes: Uint8Array, file: string, gzipped = false): IdxArray {
  const after = gzipped ? ' after gunzip' : '';
  if (bytes.length < 4) {
    throw new UserError(`${file} is truncated: it has ${bytes.length} bytes${after}, too few for an IDX header.`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new UserError(`${file} is not an IDX file: it starts with bytes ${hex(bytes.subarray(0, 4))}, expected 00 00 08 0N.`);
  }
  const type = bytes[2];
  const ndims = bytes[3];
  if (type !== UBYTE) {
    const what = TYPE_NAMES[type] ?? `unknown type 0x${type.toString(16).padStart(2, '0')}`;
    throw new UserError(`${file} holds ${what} IDX data; only unsigned-byte IDX files (magic 0x000008NN) are supported.`);
  }
  if (ndims === 0) throw new UserError(`${file} has an IDX header with zero dimensions.`);
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new UserError(`${file} is truncated: its ${ndims}-dimensional IDX header needs ${headerBytes} bytes, got ${bytes.length}${after}.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let payload = 1;
  for (let d = 0; d < ndims; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    dims.push(size);
    payload *= size;
  }
  const expected = headerBytes + payload;
  if (bytes.length < expected) {
    throw new UserError(`${file} is truncated: expected ${expected} bytes${after} for dimensions [${dims.join(', ')}], got ${bytes.length}.`);
  }
  if (bytes.length > expected) {
    throw new UserError(`${file} is longer than its IDX header says: expected ${expected} bytes${after} for dimensions [${dims.join(', ')}], got ${bytes.length}.`);
  }
  return { dims, data: bytes.subarray(headerBytes, expected) };
}

export async function readIdx(file: string): Promise<IdxArray> {
  const { bytes, gzipped } = await readMaybeGzipped(file);
  return parseIdx(bytes, file, gzipped);
}

/** Images: magic 0x00000803 [N, H, W] (one channel) or 0x00000804 [N, H, W, C]. */
export async function readIdxImages(file: string): Promise<IdxImages> {
  const { dims, data } = await readIdx(file);
  if (dims.length !== 3 && dims.length !== 4) {
    throw new UserError(
      `${file} holds ${dims.length}-dimensional IDX data [${dims.join(', ')}]; an image file needs 3 dimensions (magic 0x00000803).`,
    );
  }
  const [count, height, width] = dims;
  const channels = dims.length === 4 ? dims[3] : 1;
  if (count === 0) throw new UserError(`${file} holds no images.`);
  if (height === 0 || width === 0 || channels === 0) {
    throw new UserError(`${file} has empty images of size [${dims.slice(1).join(', ')}].`);
  }
  return { count, height, width, channels, pixels: data };
}

/** Labels: magic 0x00000801 [N]; each must be below `numClasses` when given. */
export async function readIdxLabels(file: string, numClasses?: number): Promise<Uint8Array> {
  const { dims, data } = await readIdx(file);
  if (dims.length !== 1) {
    throw new UserError(
      `${file} holds ${dims.length}-dimensional IDX data [${dims.join(', ')}]; a label file needs 1 dimension (magic 0x00000801).`,
    );
  }
  if (dims[0] === 0) throw new UserError(`${file} holds no labels.`);
  if (numClasses !== undefined) checkLabelRange(data, numClasses, file);
  return data;
}

export function checkLabelRange(labels: Uint8Array, numClasses: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new UserError(`${file} has label ${labels[i]} at index ${i}, outside the ${numClasses} classes 0..${numClasses - 1}.`);
    }
  }
}

// Exact k/255 for every byte value: a lookup is faster than dividing and
// gives the same correctly rounded float32 as k/255.
const BYTE_TO_UNIT = new Float32Array(256);
for (let k = 0; k < 256; k++) BYTE_TO_UNIT[k] = k / 255;

/** Bytes 0..255 → float32 in [0, 1], in one pass with no intermediate objects. */
export function bytesToUnitFloats(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = BYTE_TO_UNIT[bytes[i]];
  return out;
}
