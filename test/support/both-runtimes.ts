// One model, input by input, through LiteRT and our interpreter.
import { Interpreter } from '../../src/interpreter/index.js';
import type { LiteRtRunner } from './litert.js';

/**
 * Runs each input through LiteRT and our interpreter and hands `check` both
 * outputs, plus the interpreter (its tensors stay readable until the next input).
 */
export async function onBothRuntimes<T extends Int8Array | Float32Array>(
  lrt: LiteRtRunner, bytes: Uint8Array, inputs: readonly T[], check: (k: number, ours: T, lite: T, it: Interpreter) => void,
): Promise<void> {
  const m = await lrt.compile(bytes);
  const it = Interpreter.fromBuffer(bytes);
  try {
    for (let k = 0; k < inputs.length; k++) {
      const lite = (await m.run([inputs[k]!]))[0] as T;
      it.setInput(0, inputs[k]!);
      it.invoke();
      check(k, it.output(0) as T, lite, it);
    }
  } finally {
    m.delete();
  }
}
