// 200 seeded hostile variants of a valid model (flipped bytes, truncations,
// splices, huge 32-bit words where dims live): each must give a UserError
// sentence or a clean run — no other exception, no hang, and a planned
// arena (tensors + kernel scratch) within the 1 GiB cap.

import { expect } from 'chai';
import { UserError } from '../../src/errors.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { mulberry32, padNet, residualNet } from '../support/random-models.js';

function mutate(base: Uint8Array, rand: () => number, k: number): Uint8Array {
  const b = base.slice();
  const at = (): number => Math.floor(rand() * b.length);
  switch (k % 5) {
    case 0: { // flip a few bytes
      const n = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < n; i++) b[at()] ^= 1 << Math.floor(rand() * 8);
      return b;
    }
    case 1: // truncate
      return b.subarray(0, Math.floor(rand() * b.length));
    case 2: { // splice a chunk from elsewhere
      const from = at();
      const len = 1 + Math.floor(rand() * 64);
      b.copyWithin(at(), from, Math.min(b.length, from + len));
      return b;
    }
    case 3: { // a huge or negative 32-bit word at an aligned offset (shapes, offsets, counts)
      const view = new DataView(b.buffer);
      const off = Math.floor(rand() * (b.length / 4 - 1)) * 4;
      const values = [0x7fffffff, 0x40000000, 0x10000, 65535, -1, -7, 0x0fffffff, 4097];
      view.setInt32(off, values[Math.floor(rand() * values.length)]!, true);
      return b;
    }
    default: { // small value changes in place (plausible dims, strides, indices)
      const n = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < n; i++) b[at()] = Math.floor(rand() * 64);
      return b;
    }
  }
}

describe('fuzzed .tflite files', function () {
  this.timeout(120_000);
  it('200 mutated/truncated files each give a UserError sentence or a valid run within bounds', () => {
    const bases = [padNet().quantized('int8'), residualNet().quantized('float-io')];
    const rand = mulberry32(20240601);
    const outcomes = { userError: 0, ran: 0 };
    const messages = new Map<string, number>();
    for (let k = 0; k < 200; k++) {
      const bytes = mutate(bases[k % 2]!, rand, Math.floor(k / 2));
      const t0 = Date.now();
      try {
        const interp = Interpreter.fromBuffer(bytes);
        expect(interp.arenaBytes + interp.scratchBytes).to.be.at.most(2 ** 30);
        interp.inputDetails().forEach((d, i) => interp.setInput(i, new Uint8Array(d.bytes).map(() => Math.floor(rand() * 256))));
        interp.invoke();
        outcomes.ran++;
      } catch (e) {
        if (!(e instanceof UserError)) throw new Error(`case ${k}: not a UserError: ${(e as Error).stack}`);
        expect(e.message, `case ${k}`).to.not.contain('\n');
        expect(e.message.length, `case ${k}: ${e.message.slice(0, 300)}`).to.be.within(10, 600);
        outcomes.userError++;
        const head = e.message.replace(/\d+/g, 'N').slice(0, 60);
        messages.set(head, (messages.get(head) ?? 0) + 1);
      }
      expect(Date.now() - t0, `case ${k} took too long`).to.be.lessThan(10_000);
    }
    console.log(`      ${outcomes.userError} UserErrors, ${outcomes.ran} clean runs; ${messages.size} distinct error kinds`);
    expect(outcomes.userError + outcomes.ran).to.equal(200);
    expect(outcomes.userError).to.be.greaterThan(50);
  });
});
