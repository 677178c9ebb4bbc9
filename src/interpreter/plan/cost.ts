// What a multiply-add costs against the interpreter's per-invoke work cap,
// counted in int8 multiply-adds. The int8 (and dynamic-range, which
// quantizes its input and runs the int8 GEMM) kernels are SIMD; the float32
// ones are scalar. Measured here on CONV_2D 80×80×64 → 64 3×3, FULLY_CONNECTED
// 64×2048 → 512 and DEPTHWISE_CONV_2D 80×80×64: one float32 multiply-add
// takes 30–60 times an int8 one. The weight stays at the low end so a float
// MobileNet v1 α1 at 224×224 (5.7e8 multiply-adds, under a second) still
// fits the default cap, while a float CONV_2D of 640×640×64 (1.5e10, ~20 s)
// no longer does.

/** int8 multiply-adds one float32 multiply-add counts as. */
export const FLOAT_MAC_COST = 24;

/** The work of `macs` multiply-adds of a kernel with these operand types ("float32 float32 float32", "int8 int8 int8", …). */
export function weightedMacs(macs: number, operandTypes: string): number {
  return operandTypes === 'float32 float32 float32' ? macs * FLOAT_MAC_COST : macs;
}
