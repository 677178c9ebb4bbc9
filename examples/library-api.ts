// Quantization-aware training in your own loop, with your own loss:
// quantizeModel → a few optimizer steps → an int8 .tflite → run it.
// Run: npm run build && node dist/examples/library-api.js
import * as tf from '@tensorflow/tfjs';
import { Interpreter, batches, loadDataset, quantizeModel, quantizeReal, selectBackend } from '../src/index.js';

export interface ExampleResult {
  losses: number[];
  tflite: Uint8Array;
  /** The exported model's int8 outputs for the first test images. */
  outputs: Int8Array[];
  /** Those images as the model's int8 input. */
  inputs: Int8Array[];
}

export async function libraryApiExample(steps = 30, onStep?: (step: number, loss: number) => void): Promise<ExampleResult> {
  await selectBackend('wasm');
  // Any tfjs-layers model (or a Keras model converted to tfjs) with supported layers.
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, useBias: false }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }), // logits
    ],
  });
  // Fake quant on weights and activations; the same settings as qat train --quantize's flags.
  const qat = await quantizeModel(model, { bits: 8, weightBits: 8, perChannel: true });
  model.dispose();

  const data = await loadDataset('mnist', { limit: 1000 });
  const optimizer = tf.train.adam(2e-3);
  const losses: number[] = [];
  for (const batch of batches(data.train, 32, { shuffle: true, seed: 1 })) {
    if (losses.length === steps) break;
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, batch.shape);
      const labels = tf.oneHot(tf.tensor1d(batch.y, 'int32'), data.numClasses);
      // Your loss: here cross-entropy with label smoothing. training: true updates BN statistics and ranges.
      const cost = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(labels, qat.apply(x, { training: true }), undefined, 0.1),
        true, qat.trainableVariables,
      );
      return cost!.dataSync()[0]!;
    });
    losses.push(loss);
    onStep?.(losses.length, loss);
  }
  optimizer.dispose();

  // Fully integer model: int8 input and output.
  const tflite = qat.toTflite({ mode: 'int8', inputType: 'int8', outputType: 'int8' });
  qat.dispose();

  // Feed it: real pixel values → int8 with the input's scale and zero point.
  const interpreter = Interpreter.fromBuffer(tflite);
  const input = interpreter.inputDetails()[0]!;
  const pixels = input.shape.slice(1).reduce((a, b) => a * b, 1);
  const inputs: Int8Array[] = [];
  const outputs: Int8Array[] = [];
  for (let i = 0; i < 8; i++) {
    const image = data.test.images.subarray(i * pixels, (i + 1) * pixels);
    const q = quantizeReal(image, input) as Int8Array;
    interpreter.setInput(0, q);
    interpreter.invoke();
    inputs.push(q);
    outputs.push(Int8Array.from(interpreter.output(0) as Int8Array));
  }
  return { losses, tflite, outputs, inputs };
}

if (process.argv[1]?.endsWith('library-api.js')) {
  const r = await libraryApiExample(30, (step, loss) => console.log(`step ${step}: loss ${loss.toFixed(4)}`));
  console.log(`int8 model: ${r.tflite.length} bytes; first test image's int8 logits: ${r.outputs[0]!.join(' ')}`);
}
