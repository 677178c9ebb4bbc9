// Where each kernel tap of a conv reads: for tap k on an axis, the output
// positions whose input position lies inside the image form one contiguous
// range (padding and a valid conv's leftover fall outside it), so every
// tap is a branch-free rectangle for the SIMD kernels. The geometry itself
// comes from conv_geometry.ts (tfjs's own padding rule).
import type { AxisGeometry, ConvGeometry } from '../conv_geometry.js';

/** The output positions o whose input position o·stride + k·dilation − padBefore lies in the input, for tap k. */
export function tapSpan(a: AxisGeometry, k: number): { first: number; count: number; input: number } {
  const shift = k * a.dilation - a.padBefore;
  const first = Math.max(0, Math.ceil(-shift / a.stride));
  const last = Math.min(a.out - 1, Math.floor((a.size - 1 - shift) / a.stride));
  return { first, count: Math.max(0, last - first + 1), input: first * a.stride + shift };
}

/** Geometry as a flat attribute list (tfjs kernel attributes are plain values). */
type GeometryAttr = [number, number, number, number, number, number, number, number, number, number, number, number];

export function toAttr(g: ConvGeometry): GeometryAttr {
  const a = (x: AxisGeometry): number[] => [x.size, x.out, x.kernel, x.stride, x.dilation, x.padBefore];
  return [...a(g.height), ...a(g.width)] as GeometryAttr;
}

export function fromAttr(v: number[]): ConvGeometry {
  const a = (o: number): AxisGeometry => ({
    size: v[o]!, out: v[o + 1]!, kernel: v[o + 2]!, stride: v[o + 3]!, dilation: v[o + 4]!, padBefore: v[o + 5]!,
  });
  return { height: a(0), width: a(6) };
}

