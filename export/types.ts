// What an export is asked for and what it hands back. The modes are the
// three ways a trained run becomes a .tflite file; the I/O types decide
// what the model's callers feed and read.

export const EXPORT_MODES = ['int8', 'dynamic', 'float'] as const;
/**
 * int8: every op integer (needs a QAT or calibrated run); dynamic: float
 * activations with int8 weights (dynamic-range quantization); float: float32.
 */
export type ExportMode = (typeof EXPORT_MODES)[number];

export const IO_TYPES = ['float32', 'int8', 'uint8'] as const;
export type IoType = (typeof IO_TYPES)[number];

/**
 * How dynamic mode stores conv and depthwise weights. 'float': float32
 * (only FULLY_CONNECTED gets int8 weights, as a hybrid op; the default: float
 * conv arithmetic everywhere); 'dequantize': int8 weights turned into float
 * by a DEQUANTIZE op in front of the float conv; 'hybrid': int8 weights read
 * by hybrid convs that quantize their input at run time. LiteRT and the
 * interpreter run all three.
 */
export type DynamicConvWeights = 'float' | 'dequantize' | 'hybrid';

export interface ExportOptions {
  /** Default 'int8'. */
  mode?: ExportMode;
  /** Default: int8 for --mode int8, float32 otherwise. */
  inputType?: IoType;
  outputType?: IoType;
  /** Dynamic mode only; default 'float'. */
  dynamicConvWeights?: DynamicConvWeights;
  /** Text for the model's description field; a default naming the model and mode is used otherwise. */
  description?: string;
}

/** How integer I/O maps to real values: real = scale·(q − zeroPoint) = (q − mean)/std. */
export interface IoQuantization {
  scale: number;
  zeroPoint: number;
  mean: number;
  std: number;
}

export interface IoTensorSummary {
  /** SignatureDef alias (the IR's input/output node name). */
  name: string;
  /** Name of the tensor inside the model. */
  tensor: string;
  type: IoType;
  shape: number[];
  quantization: IoQuantization | null;
}

export interface ExportSummary {
  model: string;
  mode: ExportMode;
  bytes: number;
  /** Operator counts by TFLite op name, in first-use order. */
  ops: Array<{ op: string; count: number }>;
  inputs: IoTensorSummary[];
  outputs: IoTensorSummary[];
  /** Notes about choices the exporter made (e.g. weights kept float). */
  notes: string[];
}

export interface ExportResult {
  bytes: Uint8Array;
  summary: ExportSummary;
}
