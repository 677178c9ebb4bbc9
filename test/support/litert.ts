// The LiteRT.js harness lives in src/litert (qat parity uses it at run time);
// tests import it from here, with the suite set-up they share.
import { loadLiteRt, type LiteRtRunner } from '../../src/litert/index.js';
import { useWasm } from '../train/helpers.js';

export {
  loadLiteRt, LiteRtError,
  type LiteRtArray, type LiteRtDType, type LiteRtTensorInfo, type LiteRtCompiledModel, type LiteRtRunner,
} from '../../src/litert/index.js';

/**
 * Inside a describe(): loads LiteRT once before the suite's tests (after
 * selecting the wasm backend when the suite also runs tfjs) and returns the
 * getter its tests call.
 */
export function liteRtForSuite(options: { wasm?: boolean } = {}): () => LiteRtRunner {
  let runner: LiteRtRunner | undefined;
  before(async () => {
    if (options.wasm) await useWasm();
    runner = await loadLiteRt();
  });
  return () => {
    if (!runner) throw new Error('LiteRT is used before the suite loaded it');
    return runner;
  };
}
