// Input gradient of a strided conv split by stride phase. Spreading dy with
// zeros (conv_grads.ts) makes the flipped-filter conv run over s_h·s_w times
// the pixels it needs. Instead: input positions with the same residue r
// modulo the stride receive gradient only from the taps i ≡ r (mod s), and
// from dy without spreading, so each phase is a stride-1 conv of dy with a
// sub-kernel; the phases are then interleaved back.
//
// Per axis (stride s, dilation 1; tfjs forbids stride and dilation both > 1),
// with P = y + padBefore the padded coordinate of input row y:
//   the forward reads P = o·s + i, so for P = s·q + r the taps are
//   i = r + s·e (e = 0 … n_r − 1) and dx[P] = Σ_e dy[q − e] · w[r + s·e],
//   a correlation of dy with the phase's taps reversed.
import * as tf from '@tensorflow/tfjs';
import type { AxisGeometry, ConvGeometry } from './conv_geometry.js';
import { filterTaps } from './filter_taps.js';

/** One axis of one phase: which taps, which dy rows, where the results go. */
interface AxisPhase {
  /** first tap (= the residue r) */
  firstTap: number;
  /** number of taps r, r + s, … below the kernel size */
  taps: number;
  /** dy padding before/after (negative: crop) for a valid stride-1 correlation */
  padBefore: number;
  padAfter: number;
  /** input rows this phase produces (every s-th from `offset`) */
  length: number;
  /** first input row this phase produces, in [0, s) */
  offset: number;
}

function axisPhases(a: AxisGeometry): AxisPhase[] {
  const s = a.stride;
  const phases: AxisPhase[] = [];
  for (let r = 0; r < s; r++) {
    const taps = r < a.kernel ? Math.ceil((a.kernel - r) / s) : 0;
    const qLo = Math.ceil((a.padBefore - r) / s);
    const qHi = Math.floor((a.size - 1 + a.padBefore - r) / s);
    const length = Math.max(qHi - qLo + 1, 0);
    const padBefore = taps - 1 - qLo;
    const padAfter = length + taps - 1 - padBefore - a.out;
    phases.push({ firstTap: r, taps, padBefore, padAfter, length, offset: s * qLo + r - a.padBefore });
  }
  return phases;
}

/** Tap indices of one axis phase, reversed. */
function phaseTaps(p: AxisPhase, stride: number): number[] {
  return Array.from({ length: p.taps }, (_, e) => p.firstTap + stride * (p.taps - 1 - e));
}

/** True when the phase split applies: some stride > 1, all dilations 1. */
export function usesStridePhases(g: ConvGeometry): boolean {
  return (g.height.stride > 1 || g.width.stride > 1) && g.height.dilation === 1 && g.width.dilation === 1;
}

/**
 * The stride-1 conv of one phase: dy (already padded/cropped so a valid
 * correlation yields exactly the phase's rows) with the filter's taps
 * `[r_h::s_h, r_w::s_w]`, reversed in H and W. Returns [b, len_h, len_w, cin].
 */
export type PhaseConv = (dy: tf.Tensor4D, subFilterFlipped: tf.Tensor4D) => tf.Tensor4D;

/** Pads (or crops, where negative) H and W of t. */
function padOrCropHW(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const [b, h, w, c] = t.shape;
  let out = t;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const t0 = Math.max(-top, 0);
    const l0 = Math.max(-left, 0);
    out = tf.slice(out, [0, t0, l0, 0], [b, h - t0 - Math.max(-bottom, 0), w - l0 - Math.max(-right, 0), c]);
  }
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    out = tf.pad(out, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
  }
  return out;
}

/**
 * d loss / d x of a strided conv given dy [b, oh, ow, *] and the filter
 * [kh, kw, ...]; `phaseConv` runs one phase's stride-1 conv and `inChannels`
 * is x's channel count.
 */
export function inputGradByStridePhase(
  dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry, inChannels: number, phaseConv: PhaseConv,
): tf.Tensor4D {
  const b = dy.shape[0];
  const sh = g.height.stride;
  const sw = g.width.stride;
  // Every phase is laid out on a common grid of ceil(size/s) rows so the
  // spread phases line up; one crop at the end trims odd sizes.
  const gridH = Math.ceil(g.height.size / sh);
  const gridW = Math.ceil(g.width.size / sw);
  let total: tf.Tensor4D | null = null;
  for (const ph of axisPhases(g.height)) {
    for (const pw of axisPhases(g.width)) {
      if (ph.taps === 0 || pw.taps === 0 || ph.length === 0 || pw.length === 0) continue;
      // Taps r, r + s, … of each axis, last first (the correlation runs backwards).
      const flipped = filterTaps(filter, phaseTaps(ph, sh), phaseTaps(pw, sw));
      const dyp = padOrCropHW(dy, ph.padBefore, ph.padAfter, pw.padBefore, pw.padAfter);
      const phase = phaseConv(dyp, flipped); // [b, ph.length, pw.length, cin]
      // Onto the common grid, then zeros between rows/cols: row j lands at offset + s·j.
      const onGrid = ph.length === gridH && pw.length === gridW
        ? phase : tf.pad(phase, [[0, 0], [0, gridH - ph.length], [0, gridW - pw.length], [0, 0]]);
      const spread = tf.reshape(
        tf.pad(tf.reshape(onGrid, [b, gridH, 1, gridW, 1, inChannels]),
          [[0, 0], [0, 0], [ph.offset, sh - 1 - ph.offset], [0, 0], [pw.offset, sw - 1 - pw.offset], [0, 0]]),
        [b, gridH * sh, gridW * sw, inChannels],
      ) as tf.Tensor4D;
      total = total === null ? spread : tf.add(total, spread) as tf.Tensor4D;
    }
  }
  if (total === null) return tf.zeros([b, g.height.size, g.width.size, inChannels]);
  if (gridH * sh === g.height.size && gridW * sw === g.width.size) return total;
  return tf.slice(total, [0, 0, 0, 0], [b, g.height.size, g.width.size, inChannels]);
}
