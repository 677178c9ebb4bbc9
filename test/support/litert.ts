// The LiteRT.js harness lives in src/litert (qat parity uses it at run time);
// tests import it from here as before.
export {
  loadLiteRt, LiteRtError,
  type LiteRtArray, type LiteRtDType, type LiteRtTensorInfo, type LiteRtCompiledModel, type LiteRtRunner,
} from '../../src/litert/index.js';
