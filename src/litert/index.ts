// Google's LiteRT.js runtime in Node, as an optional reference: `qat parity`
// runs exported models in it when @litertjs/core is installed and carries on
// without it otherwise.
import { createRequire } from 'node:module';
import { loadLiteRt, type LiteRtRunner } from './runtime.js';

export {
  loadLiteRt, LiteRtError,
  type LiteRtArray, type LiteRtDType, type LiteRtTensorInfo, type LiteRtCompiledModel, type LiteRtRunner,
} from './runtime.js';

export const LITERT_NOT_INSTALLED = 'LiteRT.js not installed';

export type LiteRtAvailability = { runner: LiteRtRunner; reason: null } | { runner: null; reason: string };

/** Whether `@litertjs/core` can be resolved from this package. */
export function liteRtInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@litertjs/core');
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads LiteRT if it is installed; otherwise (or when it fails to start)
 * says why in a few words instead of throwing.
 */
export async function tryLoadLiteRt(): Promise<LiteRtAvailability> {
  if (!liteRtInstalled()) return { runner: null, reason: LITERT_NOT_INSTALLED };
  try {
    return { runner: await loadLiteRt(), reason: null };
  } catch (e) {
    return { runner: null, reason: `LiteRT.js failed to start: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` };
  }
}
