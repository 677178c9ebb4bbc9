// NumPy .npy files (format 1.0/2.0/3.0): how `qat run` takes inputs and how
// `--dump` writes tensors, so users can load them with numpy.load directly.
import { UserError } from '../errors.js';
import { printable } from './printable.js';

export type NpyData = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface NpyArray {
  data: NpyData;
  shape: number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface TypedCtor {
  new (length: number): NpyData;
  new (buffer: ArrayBuffer): NpyData;
  readonly BYTES_PER_ELEMENT: number;
}

const DESCR: Array<[string, TypedCtor]> = [
  ['|i1', Int8Array], ['|u1', Uint8Array], ['<i2', Int16Array], ['<i4', Int32Array], ['<f4', Float32Array], ['<f8', Float64Array],
];

function descrOf(data: NpyData): string {
  for (const [d, ctor] of DESCR) if (data instanceof ctor) return d;
  throw new Error('unsupported typed array for .npy');
}

export function encodeNpy(arr: NpyArray): Uint8Array {
  const shape = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  let header = `{'descr': '${descrOf(arr.data)}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Header is padded with spaces so data starts on a 64-byte boundary.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + arr.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength), 10 + header.length);
  return out;
}

export function decodeNpy(bytes: Uint8Array, what = 'the .npy file'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new UserError(`${what} is not a .npy file (missing the \\x93NUMPY magic)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw new UserError(`${what} is truncated inside its header`);
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new UserError(`${what} has an unreadable header: ${printable(header.trim())}`);
  if (fortran === 'True') throw new UserError(`${what} is in Fortran order; save it with numpy.ascontiguousarray first`);
  const ctor = DESCR.find(([d]) => d === descr || d.replace('<', '=') === descr || (d[0] === '|' && `<${d.slice(1)}` === descr))?.[1];
  if (!ctor) throw new UserError(`${what} has dtype ${printable(descr)}; supported: ${DESCR.map(([d]) => d).join(', ')}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new UserError(`${what} has an invalid shape (${printable(shapeText)})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  const elemBytes = ctor.BYTES_PER_ELEMENT;
  if (bytes.length - dataStart !== count * elemBytes) {
    throw new UserError(`${what} should hold ${count} × ${elemBytes} bytes of data for shape [${shape}]; it holds ${bytes.length - dataStart}`);
  }
  // A fresh buffer starts aligned for any element size. Uint8Array's own slice
  // copies; a Node Buffer's slice would be a view into its shared pool.
  const aligned = Uint8Array.prototype.slice.call(bytes, dataStart);
  return { data: new ctor(aligned.buffer), shape };
}
