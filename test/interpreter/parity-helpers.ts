// Shared by the LiteRT parity tests: run a model in both runtimes over seeded
// inputs and count differing output elements.

import { Interpreter } from '../../src/interpreter/index.js';
import type { LiteRtArray, LiteRtCompiledModel, LiteRtRunner } from '../support/litert.js';
import { mulberry32, randomInput } from '../support/random-models.js';

export interface ParityResult {
  runs: number;
  elements: number;
  /** Elements whose values differ (int: any difference; float: beyond the tolerance). */
  differing: number;
  maxAbsDiff: number;
  /** Per output tensor index: differing count (only with allOutputs models). */
  perOutput: number[];
}

export async function compareWithLiteRt(
  lrt: LiteRtRunner, bytes: Uint8Array, runs: number, seed: number, o: { floatTolerance?: number; inputRange?: [number, number] } = {},
): Promise<ParityResult> {
  const ours = Interpreter.fromBuffer(bytes);
  const theirs: LiteRtCompiledModel = await lrt.compile(bytes);
  const rand = mulberry32(seed);
  const details = ours.inputDetails();
  const res: ParityResult = { runs, elements: 0, differing: 0, maxAbsDiff: 0, perOutput: ours.outputDetails().map(() => 0) };
  try {
    for (let r = 0; r < runs; r++) {
      const inputs = details.map((d) => randomInput(d.dtype as 'int8' | 'uint8' | 'float32', d.bytes / (d.dtype === 'float32' ? 4 : 1), rand, o.inputRange));
      inputs.forEach((x, i) => ours.setInput(i, x));
      ours.invoke();
      const expected = await theirs.run(inputs as LiteRtArray[]);
      expected.forEach((e, k) => {
        const got = ours.output(k) as unknown as ArrayLike<number>;
        const isFloat = e instanceof Float32Array;
        const tol = isFloat ? (o.floatTolerance ?? 1e-4) : 0;
        res.elements += e.length;
        for (let i = 0; i < e.length; i++) {
          const d = Math.abs((got[i] as number) - (e[i] as number));
          if (d > res.maxAbsDiff) res.maxAbsDiff = d;
          if (d > tol || Number.isNaN(d)) {
            res.differing++;
            res.perOutput[k]!++;
          }
        }
      });
    }
  } finally {
    theirs.delete();
  }
  return res;
}
