// The contract every op module fulfils: check its attributes, infer its
// output shape from its input shapes, and declare the parameters it owns.
// Shape problems are reported as plain strings; analyze() adds the node name.
import type { NodeOf, OpName, ParamSpec, Shape, Pair, Padding } from '../types.js';

export interface OpSpec<K extends OpName> {
  /** Exact number of inputs, or a minimum for variadic ops. */
  arity: number | { min: number };
  /** Returns a problem with the attributes, or undefined when they are fine. */
  checkAttrs(attrs: NodeOf<K>['attrs']): string | undefined;
  /** Output shape, or throws ShapeProblem. */
  inferShape(node: NodeOf<K>, inputs: Shape[]): Shape;
  /** Parameters this node owns, by role. */
  params(node: NodeOf<K>, inputs: Shape[]): ParamSpec[];
}

/** A shape mismatch; analyze() turns it into a UserError naming the node. */
export class ShapeProblem extends Error {}

export function problem(msg: string): never {
  throw new ShapeProblem(msg);
}

export const noParams = (): ParamSpec[] => [];

export function fmtShape(s: Shape): string {
  return `[${s.join(', ')}]`;
}

export function isPosInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

export function isPair(v: unknown): v is Pair {
  return Array.isArray(v) && v.length === 2 && v.every(isPosInt);
}

export function isPadding(v: unknown): v is Padding {
  return v === 'same' || v === 'valid';
}

/** First failing check's message, if any. */
export function firstProblem(...checks: Array<[boolean, string]>): string | undefined {
  for (const [ok, msg] of checks) if (!ok) return msg;
  return undefined;
}

export function requireRank(s: Shape, rank: number, what: string): void {
  if (s.length !== rank) problem(`${what} must have ${rank === 3 ? 'an [h, w, c]' : `a rank-${rank}`} shape, got ${fmtShape(s)}`);
}

/** TF's output size rule for a sliding window. */
export function windowOut(size: number, k: number, stride: number, dilation: number, padding: Padding): number {
  const eff = (k - 1) * dilation + 1;
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - eff) / stride) + 1;
}

export function spatialOut(node: string, s: Shape, k: Pair, strides: Pair, dilations: Pair, padding: Padding): [number, number] {
  const h = windowOut(s[0], k[0], strides[0], dilations[0], padding);
  const w = windowOut(s[1], k[1], strides[1], dilations[1], padding);
  if (h < 1 || w < 1) problem(`a ${k[0]}×${k[1]} '${padding}' window does not fit the ${s[0]}×${s[1]} input of ${node}`);
  return [h, w];
}
