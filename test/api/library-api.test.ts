// The README's "Library API" example is examples/library-api.ts, run here
// as written: its own loop and loss train (the loss falls), no tensors
// leak from step to step, and the int8 file it exports gives the same
// bytes in LiteRT as in our interpreter.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { libraryApiExample } from '../../examples/library-api.js';
import { liteRtForSuite } from '../support/litert.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('README library API example', function () {
  this.timeout(600_000);
  const litert = liteRtForSuite({ wasm: true });

  it('is the code the README shows', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const source = readFileSync(`${ROOT}examples/library-api.ts`, 'utf8').replace("from '../src/index.js'", "from 'qat'");
    const block = /## Library API[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
    expect(block, 'README has a Library API section with a ts block').to.not.equal(null);
    expect(block![1]).to.equal(source);
  });

  it('trains in its own loop without leaking and exports an int8 model LiteRT runs bit-exactly like the interpreter', async () => {
    const counts: number[] = [];
    const r = await libraryApiExample(30, () => counts.push(tf.memory().numTensors));
    expect(r.losses).to.have.length(30);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(r.losses.slice(-5))).to.be.lessThan(0.7 * mean(r.losses.slice(0, 5)));
    // The optimizer makes its slots in the first step; after that every step frees all it made.
    expect(new Set(counts.slice(1)).size, `tensor counts ${counts.join(' ')}`).to.equal(1);
    const m = await litert().compile(r.tflite);
    try {
      expect(m.inputs[0]!.dtype).to.equal('int8');
      expect(m.outputs[0]!.dtype).to.equal('int8');
      let distinct = new Set<number>();
      for (let i = 0; i < r.inputs.length; i++) {
        const y = (await m.run([r.inputs[i]!]))[0] as Int8Array;
        expect(Array.from(y), `image ${i}`).to.deep.equal(Array.from(r.outputs[i]!));
        distinct = new Set([...distinct, ...y]);
      }
      // A saturated or constant output would match trivially.
      expect(distinct.size).to.be.greaterThan(10);
    } finally {
      m.delete();
    }
  });
});
