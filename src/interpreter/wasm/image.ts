// Where a windowed op's input lives in wasm memory: the NHWC tensor is
// copied in whole (one typed-array set), then, when the window reaches
// outside it, copied once more into an image padded with the input zero
// point, so the conv/depthwise kernels never bounds-check a tap.

import type { WindowGeometry } from '../kernels/types.js';
import type { WasmArena } from './arena.js';

export interface ImageLayout {
  /** Channels per pixel and bytes per unpadded row / batch. */
  channels: number;
  rowBytes: number;
  batchBytes: number;
  /** False when every tap of every window is inside the input: the staged copy is used as is. */
  padded: boolean;
  rows: number;
  /** Bytes per padded row, padded image bytes. */
  paddedRowBytes: number;
  paddedBytes: number;
  top: number;
  left: number;
}

export function imageLayout(g: WindowGeometry, channels: number): ImageLayout {
  const needH = (g.outH - 1) * g.strideH + (g.filterH - 1) * g.dilationH + 1;
  const needW = (g.outW - 1) * g.strideW + (g.filterW - 1) * g.dilationW + 1;
  // Padded coordinates: the window grid starts at row/column 0, the input at (top, left).
  const rows = Math.max(g.padTop + g.inH, needH);
  const cols = Math.max(g.padLeft + g.inW, needW);
  const padded = g.padTop > 0 || g.padLeft > 0 || needH > g.inH || needW > g.inW;
  const rowBytes = g.inW * channels;
  return {
    channels, rowBytes, batchBytes: g.inH * rowBytes, padded,
    rows: padded ? rows : g.inH,
    paddedRowBytes: padded ? cols * channels : rowBytes,
    paddedBytes: padded ? rows * cols * channels : g.inH * rowBytes,
    top: g.padTop, left: g.padLeft,
  };
}

/**
 * Pads batch `b` of the staged input at `staged` into `dst` (when the layout
 * needs padding) and returns the address of the image the kernels should read.
 */
export function paddedImage(arena: WasmArena, l: ImageLayout, staged: number, b: number, dst: number, zp: number): number {
  const src = staged + b * l.batchBytes;
  if (!l.padded) return src;
  arena.kernels.padImage(src, l.batchBytes / l.rowBytes, l.rowBytes, dst, l.paddedRowBytes, l.rows, l.top, l.left * l.channels, zp);
  return dst;
}

/** Where, inside the padded image at `dst`, the input's first pixel goes. */
export function imageInterior(l: ImageLayout, dst: number): number {
  return dst + l.top * l.paddedRowBytes + l.left * l.channels;
}

/**
 * Pads in place one batch already copied contiguously to imageInterior(l,
 * dst) (the input's rows are moved out to their padded places and only the
 * border is set to zp); returns `dst`.
 */
export function spreadImage(arena: WasmArena, l: ImageLayout, dst: number, zp: number): number {
  arena.kernels.spreadImage(dst, l.batchBytes / l.rowBytes, l.rowBytes, l.paddedRowBytes, l.rows, l.top, l.left * l.channels, zp);
  return dst;
}

export const align16 = (n: number): number => Math.ceil(n / 16) * 16;
/** Slack after every scratch region for the kernels' 16-byte over-reads and over-writes. */
export const REGION_SLACK = 32;

/** Consecutive scratch regions; returns each region's offset from scratchBase and the total. */
export function scratchRegions(sizes: readonly number[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let at = 0;
  for (const s of sizes) {
    offsets.push(at);
    at = align16(at + s + REGION_SLACK);
  }
  return { offsets, total: at };
}
