import { expect } from 'chai';
import { Builder } from 'flatbuffers';
import { UserError } from '../../src/errors.js';
import {
  BUILTIN_OPERATOR_NAMES, BuiltinOperator, BuiltinOptionsType, TensorType, OP_NAMES,
  ModelField, OperatorCodeField, BufferField, SubGraphField, TensorField,
  ModelBuilder, readModel, writeModel, validateModel, defaultOptions, opVersion, minRuntimeVersion, packInt4, unpackInt4,
  type TfliteModel, type OperatorOptions, type OpName,
} from '../../src/tflite/index.js';
import { FlatReader } from '../../src/tflite/flatbuf.js';
import { mulberry32 as rng } from '../support/random.js';

/** Non-default values for every field of every options table. */
const OPTIONS: { [K in OpName]: OperatorOptions & { op: K } } = {
  ADD: { op: 'ADD', fusedActivation: 'RELU6', potScaleInt16: false },
  SUB: { op: 'SUB', fusedActivation: 'RELU', potScaleInt16: false },
  MUL: { op: 'MUL', fusedActivation: 'RELU_N1_TO_1' },
  AVERAGE_POOL_2D: { op: 'AVERAGE_POOL_2D', padding: 'VALID', strideW: 2, strideH: 3, filterWidth: 4, filterHeight: 5, fusedActivation: 'RELU' },
  MAX_POOL_2D: { op: 'MAX_POOL_2D', padding: 'SAME', strideW: 1, strideH: 2, filterWidth: 3, filterHeight: 2, fusedActivation: 'TANH' },
  CONCATENATION: { op: 'CONCATENATION', axis: -1, fusedActivation: 'RELU6' },
  CONV_2D: {
    op: 'CONV_2D', padding: 'VALID', strideW: 2, strideH: 3, fusedActivation: 'RELU6',
    dilationWFactor: 2, dilationHFactor: 4, quantizedBiasType: 'INT64',
  },
  DEPTHWISE_CONV_2D: {
    op: 'DEPTHWISE_CONV_2D', padding: 'VALID', strideW: 2, strideH: 1, depthMultiplier: 3,
    fusedActivation: 'RELU', dilationWFactor: 3, dilationHFactor: 2,
  },
  FULLY_CONNECTED: {
    op: 'FULLY_CONNECTED', fusedActivation: 'RELU', weightsFormat: 'SHUFFLED4x16INT8', keepNumDims: true,
    asymmetricQuantizeInputs: true, quantizedBiasType: 'INT32',
  },
  SOFTMAX: { op: 'SOFTMAX', beta: 0.5 },
  RESHAPE: { op: 'RESHAPE', newShape: [1, -1, 7] },
  MEAN: { op: 'MEAN', keepDims: true },
  SQUEEZE: { op: 'SQUEEZE', squeezeDims: [1, 2] },
  DEQUANTIZE: { op: 'DEQUANTIZE' },
  HARD_SWISH: { op: 'HARD_SWISH' },
  LOGISTIC: { op: 'LOGISTIC' },
  PAD: { op: 'PAD' },
  QUANTIZE: { op: 'QUANTIZE' },
  RELU: { op: 'RELU' },
  RELU6: { op: 'RELU6' },
  TANH: { op: 'TANH' },
  LEAKY_RELU: { op: 'LEAKY_RELU', alpha: 0.125 },
  PRELU: { op: 'PRELU' },
  MAXIMUM: { op: 'MAXIMUM' },
  MINIMUM: { op: 'MINIMUM' },
  REDUCE_MAX: { op: 'REDUCE_MAX', keepDims: true },
  TRANSPOSE_CONV: { op: 'TRANSPOSE_CONV', padding: 'VALID', strideW: 2, strideH: 3, fusedActivation: 'RELU', quantizedBiasType: 'INT32' },
  RESIZE_BILINEAR: { op: 'RESIZE_BILINEAR', alignCorners: true, halfPixelCenters: true },
  RESIZE_NEAREST_NEIGHBOR: { op: 'RESIZE_NEAREST_NEIGHBOR', alignCorners: true, halfPixelCenters: true },
  STRIDED_SLICE: { op: 'STRIDED_SLICE', beginMask: 1, endMask: 2, ellipsisMask: 4, newAxisMask: 8, shrinkAxisMask: 16, offset: true },
  SLICE: { op: 'SLICE' },
  MIRROR_PAD: { op: 'MIRROR_PAD', mode: 'SYMMETRIC' },
  SQUARED_DIFFERENCE: { op: 'SQUARED_DIFFERENCE' },
  RSQRT: { op: 'RSQRT' },
};

/** A hand-made model touching every table and optional field we model. */
function everythingModel(): TfliteModel {
  const ops = OP_NAMES;
  return {
    version: 3,
    description: 'every option table',
    operatorCodes: [
      ...ops.map((op, i) => ({ builtinCode: BuiltinOperator[op], version: 1 + (i % 4) })),
      { builtinCode: 150, version: 2 }, // GELU: a code ≥ 127
      { builtinCode: BuiltinOperator.CUSTOM, version: 1, customCode: 'MyOp' },
    ],
    subgraphs: [
      {
        name: 'main',
        tensors: [
          { name: 'in', shape: [1, 4, 4, 3], type: 'INT8', buffer: 0, isVariable: false, shapeSignature: [-1, 4, 4, 3],
            quantization: { scale: [0.5], zeroPoint: [-128], quantizedDimension: 0, min: [-64], max: [63.5] } },
          { name: 'w', shape: [2, 1, 1, 3], type: 'INT8', buffer: 1, isVariable: false,
            quantization: { scale: [0.25, 0.125], zeroPoint: [0, 0], quantizedDimension: 0 } },
          { name: 'bias', shape: [2], type: 'INT32', buffer: 2, isVariable: false,
            quantization: { scale: [0.125, 0.0625], zeroPoint: [0, 0], quantizedDimension: 0 } },
          { name: 'f', shape: [3], type: 'FLOAT32', buffer: 3, isVariable: true },
          { name: 'big zero point', shape: [1], type: 'INT64', buffer: 0, isVariable: false,
            quantization: { scale: [1], zeroPoint: [-(2 ** 40)], quantizedDimension: 0 } },
          { name: 'ユニコード', shape: [], type: 'BFLOAT16', buffer: 0, isVariable: false },
        ],
        inputs: [0],
        outputs: [5],
        operators: [
          ...ops.map((op, i) => ({ opcodeIndex: i, inputs: [0, 1, -1], outputs: [5], options: OPTIONS[op] })),
          { opcodeIndex: ops.length, inputs: [0], outputs: [5], intermediates: [3, 4],
            options: { op: 'OTHER', name: 'GELU', builtinCode: 150, optionsType: 0 } },
          { opcodeIndex: ops.length + 1, inputs: [0], outputs: [5], customOptions: new Uint8Array([1, 2, 3]),
            options: { op: 'OTHER', name: 'CUSTOM', builtinCode: 32, optionsType: 0 } },
        ],
      },
      { name: '', tensors: [], inputs: [], outputs: [], operators: [] },
    ],
    buffers: [
      new Uint8Array(0),
      new Uint8Array([1, 2, 3, 0xff, 0xfe, 0xfd]),
      new Uint8Array(new Int32Array([1000, -1000]).buffer),
      new Uint8Array(new Float32Array([1.5, -2, 3]).buffer),
      new TextEncoder().encode('2.3.0'),
    ],
    metadata: [{ name: 'min_runtime_version', buffer: 4 }],
    signatureDefs: [
      { signatureKey: 'serving_default', subgraphIndex: 0, inputs: [{ name: 'input', tensorIndex: 0 }], outputs: [{ name: 'out', tensorIndex: 5 }] },
      { signatureKey: 'other', subgraphIndex: 1, inputs: [], outputs: [] },
    ],
  };
}

/** Deep-equality form: buffers become plain arrays. */
function plain(m: TfliteModel): unknown {
  return JSON.parse(JSON.stringify(m, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v)));
}

function expectUserError(fn: () => unknown, pattern?: RegExp): UserError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof UserError)) throw new Error(`expected a UserError, got ${String(e)}`);
    expect(e.message.split(/\.\s/).length, `one sentence: ${e.message}`).to.equal(1);
    if (pattern) expect(e.message).to.match(pattern);
    return e;
  }
  throw new Error('expected a UserError, but nothing was thrown');
}

/** A version-3 model whose only field is a one-table vector: layouts ModelBuilder never writes. */
function modelWithOne(field: number, table: (b: Builder) => number): Uint8Array {
  const b = new Builder(256);
  const t = table(b);
  b.startVector(4, 1, 4);
  b.addOffset(t);
  const vector = b.endVector();
  b.startObject(ModelField.count);
  b.addFieldInt32(ModelField.version, 3, 0);
  b.addFieldOffset(field, vector, 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array();
}

describe('tflite schema', () => {
  it('numbers enums as schema.fbs does', () => {
    for (const [name, code] of Object.entries(BuiltinOperator)) expect(BUILTIN_OPERATOR_NAMES[code]).to.equal(name);
    expect(BUILTIN_OPERATOR_NAMES.length).to.equal(208);
    expect(BUILTIN_OPERATOR_NAMES[127]).to.equal('PLACEHOLDER_FOR_GREATER_OP_CODES');
    expect(BUILTIN_OPERATOR_NAMES[128]).to.equal('CUMSUM');
    expect(BUILTIN_OPERATOR_NAMES[150]).to.equal('GELU');
    expect(BUILTIN_OPERATOR_NAMES[207]).to.equal('COMPLEX');
    expect(TensorType.INT8).to.equal(9);
    expect(TensorType.BFLOAT16).to.equal(18);
    expect(BuiltinOptionsType.QuantizeOptions).to.equal(89);
    expect(BuiltinOptionsType.HardSwishOptions).to.equal(91);
  });

  it('round-trips a model using every options table', () => {
    const m = everythingModel();
    validateModel(m);
    const bytes = writeModel(m);
    const back = readModel(bytes);
    expect(plain(back)).to.deep.equal(plain(m));
    // A second pass is byte-identical: nothing depends on object identity.
    expect(Buffer.from(writeModel(back)).equals(Buffer.from(bytes))).to.equal(true);
  });

  it('writes TFL3, version 3, both opcode fields, and 16-byte aligned buffers', () => {
    const m = everythingModel();
    const bytes = writeModel(m);
    expect(Buffer.from(bytes.subarray(4, 8)).toString('latin1')).to.equal('TFL3');
    const back = readModel(bytes);
    expect(back.version).to.equal(3);
    for (const b of back.buffers.slice(1)) {
      expect(b.buffer).to.equal(bytes.buffer); // views into the file
      expect((b.byteOffset - bytes.byteOffset) % 16).to.equal(0);
    }
    const root = new FlatReader(bytes).root('model');
    const codes = root.tables(ModelField.operatorCodes, (i) => `code ${i}`)!;
    const conv = codes[OP_NAMES.indexOf('CONV_2D')]!;
    expect(conv.int8(OperatorCodeField.deprecatedBuiltinCode)).to.equal(3);
    expect(conv.int32(OperatorCodeField.builtinCode)).to.equal(3);
    const gelu = codes[OP_NAMES.length]!;
    expect(gelu.int8(OperatorCodeField.deprecatedBuiltinCode)).to.equal(127);
    expect(gelu.int32(OperatorCodeField.builtinCode)).to.equal(150);
  });

  it('reads pre-3a operator codes that only carry deprecated_builtin_code', () => {
    const m = readModel(modelWithOne(ModelField.operatorCodes, (b) => {
      b.startObject(OperatorCodeField.count);
      b.addFieldInt8(OperatorCodeField.deprecatedBuiltinCode, BuiltinOperator.SOFTMAX, 0);
      return b.endObject();
    }));
    expect(m.operatorCodes).to.deep.equal([{ builtinCode: BuiltinOperator.SOFTMAX, version: 1 }]);
    expect(m.subgraphs).to.deep.equal([]);
    expectUserError(() => validateModel(m), /no subgraphs/);
  });

  it('reads back exactly what the builder built', () => {
    const b = new ModelBuilder('g');
    const x = b.addInput({ name: 'input', shape: [1, 8, 8, 3], type: 'INT8', quantization: { scale: 0.02, zeroPoint: -3 } });
    const w = b.addTensor({
      name: 'conv/w', shape: [4, 3, 3, 3], type: 'INT8', data: new Int8Array(4 * 27).fill(7),
      quantization: { scale: [0.1, 0.2, 0.3, 0.4], zeroPoint: [0, 0, 0, 0], quantizedDimension: 0 },
    });
    const bias = b.addTensor({
      name: 'conv/b', shape: [4], type: 'INT32', data: new Int32Array([1, -2, 3, -4]),
      quantization: { scale: [0.002, 0.004, 0.006, 0.008], zeroPoint: [0, 0, 0, 0] },
    });
    const y = b.addTensor({ name: 'conv', shape: [1, 8, 8, 4], type: 'INT8', quantization: { scale: 0.05, zeroPoint: -128 } });
    const z = b.addOutput({ name: 'out', shape: [1, 4], type: 'INT8', quantization: { scale: 0.05, zeroPoint: -128 } });
    b.addOperator('CONV_2D', [x, w, bias], [y], { padding: 'SAME', fusedActivation: 'RELU6' });
    b.addOperator('MEAN', [y, b.addTensor({ name: 'axes', shape: [2], type: 'INT32', data: new Int32Array([1, 2]) })], [z]);
    const built = b.build();
    validateModel(built);
    const back = readModel(writeModel(built));
    expect(plain(back)).to.deep.equal(plain(built));
    expect(back.subgraphs[0]!.tensors.map((t) => t.name)).to.deep.equal(['input', 'conv/w', 'conv/b', 'conv', 'out', 'axes']);
    expect(back.operatorCodes).to.deep.equal([
      { builtinCode: BuiltinOperator.CONV_2D, version: 3 },
      { builtinCode: BuiltinOperator.MEAN, version: 2 },
    ]);
    expect(back.signatureDefs[0]).to.deep.equal({
      signatureKey: 'serving_default', subgraphIndex: 0,
      inputs: [{ name: 'input', tensorIndex: 0 }], outputs: [{ name: 'out', tensorIndex: 4 }],
    });
    const meta = back.metadata.find((m) => m.name === 'min_runtime_version')!;
    const text = new TextDecoder().decode(back.buffers[meta.buffer]).replace(/\0+$/, '');
    expect(text).to.equal('1.14.0');
    expect(back.buffers[meta.buffer]!.length).to.equal(16);
    expect(back.buffers[0]!.length).to.equal(0);
  });

  it('fills builder defaults and picks op versions by TFLite rules', () => {
    expect(defaultOptions('CONV_2D')).to.deep.equal({
      padding: 'VALID', strideW: 1, strideH: 1, fusedActivation: 'NONE', dilationWFactor: 1, dilationHFactor: 1,
    });
    const fc = { op: 'FULLY_CONNECTED', ...defaultOptions('FULLY_CONNECTED') } as OperatorOptions;
    expect(opVersion('FULLY_CONNECTED', { inputs: ['INT8', 'INT8', 'INT32'], outputs: ['INT8'], options: fc })).to.equal(4);
    expect(opVersion('FULLY_CONNECTED', { inputs: ['INT8', 'INT8'], outputs: ['INT8'], options: fc })).to.equal(6);
    expect(opVersion('FULLY_CONNECTED', { inputs: ['FLOAT32', 'FLOAT32', 'FLOAT32'], outputs: ['FLOAT32'], options: fc })).to.equal(1);
    const dw = { op: 'DEPTHWISE_CONV_2D', ...defaultOptions('DEPTHWISE_CONV_2D') } as OperatorOptions;
    expect(opVersion('DEPTHWISE_CONV_2D', { inputs: ['INT8', 'INT8', 'INT32'], outputs: ['INT8'], options: dw })).to.equal(3);
    expect(opVersion('DEPTHWISE_CONV_2D', { inputs: ['FLOAT32', 'INT8', 'FLOAT32'], outputs: ['FLOAT32'], options: dw, perChannel: true })).to.equal(6);
    expect(minRuntimeVersion([{ op: 'CONV_2D', version: 3 }, { op: 'HARD_SWISH', version: 1 }])).to.equal('1.15.0');
    expect(minRuntimeVersion([{ op: 'FULLY_CONNECTED', version: 6 }, { op: 'ADD', version: 1 }])).to.equal('2.1.0');
    // INT4 weights (op_version.cc): CONV_2D and DEPTHWISE_CONV_2D 7, FULLY_CONNECTED 10, all from TFLite 2.11.
    const conv = { op: 'CONV_2D', ...defaultOptions('CONV_2D') } as OperatorOptions;
    expect(opVersion('CONV_2D', { inputs: ['INT8', 'INT4', 'INT32'], outputs: ['INT8'], options: conv })).to.equal(7);
    expect(opVersion('DEPTHWISE_CONV_2D', { inputs: ['INT8', 'INT4', 'INT32'], outputs: ['INT8'], options: dw })).to.equal(7);
    expect(opVersion('FULLY_CONNECTED', { inputs: ['INT8', 'INT4', 'INT32'], outputs: ['INT8'], options: fc })).to.equal(10);
    expect(minRuntimeVersion([{ op: 'CONV_2D', version: 7 }, { op: 'FULLY_CONNECTED', version: 4 }])).to.equal('2.11.0');
    expect(minRuntimeVersion([{ op: 'FULLY_CONNECTED', version: 10 }])).to.equal('2.11.0');
  });

  it('packs INT4 two per byte, even index in the low nibble, and sizes INT4 buffers by it', () => {
    const values = Int8Array.from([-8, 7, 1, -1, 0, -3, 5]);
    const packed = packInt4(values);
    expect(Array.from(packed)).to.deep.equal([0x78, 0xf1, 0xd0, 0x05]);
    const back = new Int8Array(values.length);
    unpackInt4(packed, values.length, back);
    expect(Array.from(back)).to.deep.equal(Array.from(values));
    expect(() => packInt4(Int8Array.from([9]))).to.throw(/outside \[-8, 7\]/);
    const b = new ModelBuilder();
    expect(() => b.addTensor({ name: 'w', shape: [7], type: 'INT4', data: new Uint8Array(7) })).to.throw(/INT4 \[7\] but 7 bytes/);
    b.addTensor({ name: 'w', shape: [7], type: 'INT4', data: packed });
  });

  it('validateModel names the tensor or op at fault', () => {
    const base = (): TfliteModel => {
      const b = new ModelBuilder();
      const x = b.addInput({ name: 'x', shape: [1, 2], type: 'INT8', quantization: { scale: 0.1, zeroPoint: 0 } });
      const w = b.addTensor({ name: 'w', shape: [3, 2], type: 'INT8', data: new Int8Array(6), quantization: { scale: [1, 2, 3], zeroPoint: [0, 0, 0] } });
      const y = b.addOutput({ name: 'y', shape: [1, 3], type: 'INT8', quantization: { scale: 0.1, zeroPoint: 0 } });
      b.addOperator('FULLY_CONNECTED', [x, w, -1], [y]);
      return b.build();
    };
    validateModel(base());
    let m = base();
    m.subgraphs[0]!.tensors[1]!.shape = [3, 3];
    expectUserError(() => validateModel(m), /tensor 1 "w" is INT8 \[3,3\] = 9 bytes but its buffer 1 holds 6/);
    m = base();
    m.subgraphs[0]!.tensors[1]!.quantization!.scale = [1, 2];
    expectUserError(() => validateModel(m), /"w" has 2 scales but 3 zero points/);
    m = base();
    m.subgraphs[0]!.tensors[1]!.quantization!.quantizedDimension = 1;
    expectUserError(() => validateModel(m), /"w" has 3 per-channel scales but 2 channels along dimension 1/);
    m = base();
    m.subgraphs[0]!.operators[0]!.inputs[0] = 9;
    expectUserError(() => validateModel(m), /input 0 of operator 0 \(FULLY_CONNECTED\) refers to missing tensor 9/);
    m = base();
    m.subgraphs[0]!.tensors[0]!.shape = [1 << 16, 1 << 16];
    expectUserError(() => validateModel(m), /"x" has 4294967296 elements/);
    m = base();
    m.subgraphs[0]!.tensors[2]!.quantization!.scale = [0];
    expectUserError(() => validateModel(m), /"y" has quantization scale 0/);
  });

  describe('hostile bytes', () => {
    const good = writeModel(everythingModel());

    it('rejects short, foreign and wrongly identified files with one sentence', () => {
      expectUserError(() => readModel(new Uint8Array(0)), /only 0 bytes/);
      expectUserError(() => readModel(new TextEncoder().encode('PK\x03\x04 this is a zip file')), /file identifier is " thi", not "TFL3"/);
      const wrongId = good.slice();
      wrongId.set([0x54, 0x46, 0x4c, 0x32], 4); // "TFL2"
      expectUserError(() => readModel(wrongId), /identifier is "TFL2"/);
    });

    it('rejects random bytes, with or without a TFL3 identifier, as UserError', () => {
      const next = rng(1);
      for (let i = 0; i < 300; i++) {
        const bytes = new Uint8Array(8 + Math.floor(next() * 400));
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(next() * 256);
        if (i % 2) bytes.set([0x54, 0x46, 0x4c, 0x33], 4);
        expectUserError(() => readModel(bytes));
      }
    });

    it('rejects truncations of a valid model as UserError', () => {
      let rejected = 0;
      for (let len = 0; len < good.length; len++) {
        try {
          readModel(good.subarray(0, len));
        } catch (e) {
          if (!(e instanceof UserError)) throw new Error(`length ${len}: ${String(e)}`);
          rejected++;
        }
      }
      // Only the alignment padding after the first-written buffer can go unnoticed.
      expect(rejected).to.be.greaterThan(good.length - 16);
    });

    it('reads or rejects (never crashes on) seeded byte mutations of a valid model', () => {
      const next = rng(7);
      let parsed = 0;
      for (let i = 0; i < 500; i++) {
        const bytes = good.slice();
        const flips = 1 + Math.floor(next() * 4);
        for (let f = 0; f < flips; f++) {
          bytes[8 + Math.floor(next() * (bytes.length - 8))] = Math.floor(next() * 256);
        }
        try {
          const m = readModel(bytes);
          parsed++;
          try {
            validateModel(m);
          } catch (e) {
            if (!(e instanceof UserError)) throw e;
          }
        } catch (e) {
          if (!(e instanceof UserError)) throw new Error(`mutation ${i}: ${String(e)}`);
        }
      }
      expect(parsed).to.be.greaterThan(0); // some flips land in data, which is legal
    });

    it('stops a small file whose offsets alias into billions of reads', () => {
      // One tensor table referenced 4096 times by one subgraph, referenced
      // 4096 times by the model: 16M tensors from a ~50 KB file.
      const b = new Builder(1 << 16);
      const shape = b.createString('t');
      b.startObject(TensorField.count);
      b.addFieldOffset(TensorField.name, shape, 0);
      const tensor = b.endObject();
      const n = 4096;
      b.startVector(4, n, 4);
      for (let i = 0; i < n; i++) b.addOffset(tensor);
      const tensors = b.endVector();
      b.startObject(SubGraphField.count);
      b.addFieldOffset(SubGraphField.tensors, tensors, 0);
      const sg = b.endObject();
      b.startVector(4, n, 4);
      for (let i = 0; i < n; i++) b.addOffset(sg);
      const sgs = b.endVector();
      b.startObject(ModelField.count);
      b.addFieldInt32(ModelField.version, 3, 0);
      b.addFieldOffset(ModelField.subgraphs, sgs, 0);
      b.finish(b.endObject(), 'TFL3');
      const bytes = b.asUint8Array();
      expect(bytes.length).to.be.lessThan(64 * 1024);
      expectUserError(() => readModel(bytes), /same data far more often/);
    });

    it('rejects the >2 GB external-buffer layout clearly', () => {
      const bytes = modelWithOne(ModelField.buffers, (b) => {
        b.startObject(BufferField.count);
        b.addFieldInt64(BufferField.offset, 4096n, 0n);
        b.addFieldInt64(BufferField.size, 16n, 0n);
        return b.endObject();
      });
      expectUserError(() => readModel(bytes), /keeps buffer 0's data outside the flatbuffer/);
    });

    it('rejects other schema versions', () => {
      const b = new Builder(64);
      b.startObject(ModelField.count);
      b.addFieldInt32(ModelField.version, 2, 0);
      b.finish(b.endObject(), 'TFL3');
      expectUserError(() => readModel(b.asUint8Array()), /schema version 2; only version 3/);
    });
  });
});
