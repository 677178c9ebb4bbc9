// INT4 tensors in a .tflite buffer: two signed 4-bit values per byte, the
// element with the even index in the low nibble (TFLite's
// UnpackDenseInt4IntoInt8 order; LiteRT.js reads it so — see test/tflite).

/** Bytes a buffer of `count` INT4 elements takes. */
export function int4Bytes(count: number): number {
  return Math.ceil(count / 2);
}

/** Packs values in [−8, 7]; anything else is a bug in the caller's quantization. */
export function packInt4(values: Int8Array): Uint8Array {
  const out = new Uint8Array(int4Bytes(values.length));
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < -8 || v > 7) throw new Error(`INT4 value ${v} at ${i} is outside [-8, 7]`);
    out[i >> 1] |= (i & 1) === 0 ? v & 0x0f : (v & 0x0f) << 4;
  }
  return out;
}

/** Sign-extends `count` packed values into `out` (which must hold `count`). */
export function unpackInt4(packed: Uint8Array, count: number, out: Int8Array): void {
  for (let i = 0; i < count; i++) {
    const byte = packed[i >> 1]!;
    const nibble = (i & 1) === 0 ? byte & 0x0f : byte >> 4;
    out[i] = (nibble << 28) >> 28;
  }
}
