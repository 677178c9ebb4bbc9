// Backend selection in a web page: wasm, webgl, webgpu or cpu. A browser
// build gets this module in place of ./backend.js (the "browser" field of
// package.json): tfjs-node and createRequire do not exist there, and the
// wasm backend fetches its .wasm binaries from a URL the page names.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { shareWasmIdentityBuffers } from '../layers/wasm_identity.js';
import { firstAvailable, type BackendAttempt } from './backend-attempts.js';
import { UserError } from './errors.js';

export type BackendName = 'wasm' | 'webgl' | 'webgpu' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export const BACKEND_NAMES: readonly BackendChoice[] = ['auto', 'wasm', 'webgl', 'webgpu', 'cpu'];

export interface BrowserBackendOptions {
  /**
   * wasm: the URL prefix (ending in '/') the backend's .wasm files are served
   * under (tfjs-backend-wasm.wasm, -simd.wasm, -threaded-simd.wasm from
   * @tensorflow/tfjs-backend-wasm/dist). Default: tfjs' own default, the page's directory.
   */
  wasmPaths?: string;
}

async function tryWasm(o: BrowserBackendOptions): Promise<string | null> {
  if (o.wasmPaths !== undefined) setWasmPaths(o.wasmPaths);
  if (!(await tf.setBackend('wasm'))) return 'the wasm backend failed to initialise (are its .wasm files served at wasmPaths?)';
  shareWasmIdentityBuffers();
  return null;
}

async function tryWebgpu(): Promise<string | null> {
  if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu === undefined) return 'this browser has no WebGPU (navigator.gpu)';
  // Loaded on demand: its shaders are only worth fetching when asked for.
  await import('@tensorflow/tfjs-backend-webgpu');
  return (await tf.setBackend('webgpu')) ? null : 'the webgpu backend failed to initialise';
}

/** Name of the active tfjs backend. */
export function activeBackend(): BackendName {
  return tf.getBackend() as BackendName;
}

/**
 * Activates a backend. `auto` tries webgl, then wasm, then cpu (webgpu only
 * when named). A named backend that cannot start is an error saying why.
 */
export async function selectBackend(choice: BackendChoice = 'auto', options: BrowserBackendOptions = {}): Promise<BackendName> {
  if (!BACKEND_NAMES.includes(choice)) {
    throw new UserError(`unknown backend '${choice}'; choose one of ${BACKEND_NAMES.join(', ')}`);
  }
  const attempts: Array<BackendAttempt<BackendName>> = [
    ['webgl', async () => ((await tf.setBackend('webgl')) ? null : 'the webgl backend failed to initialise')],
    ['wasm', () => tryWasm(options)],
    ['webgpu', tryWebgpu],
    ['cpu', async () => ((await tf.setBackend('cpu')) ? null : 'the cpu backend failed to initialise')],
  ];
  const wanted = choice === 'auto' ? attempts.filter(([n]) => n !== 'webgpu') : attempts.filter(([n]) => n === choice);
  return firstAvailable(choice, wanted, (m) => new UserError(m));
}
