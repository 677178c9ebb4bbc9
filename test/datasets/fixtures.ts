// Test helpers: IDX files written byte by byte from the format description
// (not with any code under test), in a fresh temporary directory.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { UserError } from '../../src/errors.js';

/** Big-endian header [0, 0, 0x08, ndims] + dims, then the payload. */
export function idxBytes(dims: number[], payload: Uint8Array, typeCode = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = typeCode;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(payload)]);
}

export function writeFile(dir: string, name: string, bytes: Uint8Array, gzip = false): string {
  const path = join(dir, name);
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
  return path;
}

export interface TinySet {
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
  h: number;
  w: number;
}

/** Pixel value of image n at (y, x): distinct enough to catch misplaced bytes. */
export function pixel(n: number, y: number, x: number): number {
  return (n * 37 + y * 11 + x * 3) % 256;
}

export function tinySet(nTrain: number, nTest: number, h = 4, w = 5): TinySet {
  const images = (count: number, offset: number): Uint8Array => {
    const a = new Uint8Array(count * h * w);
    for (let n = 0; n < count; n++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) a[(n * h + y) * w + x] = pixel(n + offset, y, x);
    return a;
  };
  const labels = (count: number, offset: number): Uint8Array => Uint8Array.from({ length: count }, (_, i) => (i + offset) % 10);
  return { trainImages: images(nTrain, 0), trainLabels: labels(nTrain, 0), testImages: images(nTest, 1000), testLabels: labels(nTest, 3), h, w };
}

export interface WriteSetOptions {
  gzip?: boolean;
  names?: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
}

export const LECUN_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

export function writeSet(dir: string, s: TinySet, opts: WriteSetOptions = {}): void {
  const gz = opts.gzip ?? false;
  const names = opts.names ?? LECUN_NAMES;
  const ext = gz ? '.gz' : '';
  writeFile(dir, names.trainImages + ext, idxBytes([s.trainLabels.length, s.h, s.w], s.trainImages), gz);
  writeFile(dir, names.trainLabels + ext, idxBytes([s.trainLabels.length], s.trainLabels), gz);
  writeFile(dir, names.testImages + ext, idxBytes([s.testLabels.length, s.h, s.w], s.testImages), gz);
  writeFile(dir, names.testLabels + ext, idxBytes([s.testLabels.length], s.testLabels), gz);
}

/** A temp dir per test, removed afterwards. */
export function useTempDir(): () => string {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qat-datasets-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}

/** Awaits `p`, expecting a UserError whose message matches every pattern. */
export async function expectUserError(p: Promise<unknown>, ...patterns: RegExp[]): Promise<UserError> {
  const caught = await p.then(() => undefined, (err: unknown) => err);
  const err = checkUserError(caught, patterns);
  // One sentence: a single terminal full stop.
  expect(err.message.trim()).to.match(/[.]$/);
  return err;
}

export function expectUserErrorSync(fn: () => unknown, ...patterns: RegExp[]): UserError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  return checkUserError(caught, patterns);
}

function checkUserError(caught: unknown, patterns: RegExp[]): UserError {
  expect(caught, 'expected a UserError, nothing was thrown').to.be.instanceOf(UserError);
  const err = caught as UserError;
  for (const re of patterns) expect(err.message).to.match(re);
  expect(err.message).to.not.include('\n');
  return err;
}
