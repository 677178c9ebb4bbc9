// `qat run` with a .bin of raw 0–255 pixels for an int8 input whose zero
// point is −128: the bytes are accepted (they could be codes) but not
// silently — the likely mistake and its fix are said on stderr.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelBuilder } from '../../src/tflite/index.js';
import { qat } from '../support/cli.js';

function reluModel(zeroPoint: number): Uint8Array {
  const b = new ModelBuilder();
  const q = { scale: [1 / 255], zeroPoint: [zeroPoint] };
  const x = b.addInput({ name: 'x', shape: [1, 28, 28, 1], type: 'INT8', quantization: q });
  const y = b.addOutput({ name: 'y', shape: [1, 28, 28, 1], type: 'INT8', quantization: q });
  b.addOperator('RELU', [x], [y]);
  return b.toBytes();
}

/** A digit-like image: dark background, a bright bar. */
function pixels(): Uint8Array {
  const p = new Uint8Array(784);
  for (let r = 4; r < 24; r++) for (let c = 12; c < 16; c++) p[r * 28 + c] = 255;
  return p;
}

describe('qat run: raw 0–255 bytes for an int8 input', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'qat-raw-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('warns for unshifted pixels, and not for the same image as int8 codes or for a zero point of 0', () => {
    const model = join(dir, 'm.tflite');
    writeFileSync(model, reluModel(-128));
    writeFileSync(join(dir, 'raw.bin'), pixels());
    writeFileSync(join(dir, 'codes.bin'), Int8Array.from(pixels(), (p) => p - 128));
    const raw = qat('run', model, '--input', join(dir, 'raw.bin'));
    expect(raw.status, raw.stderr).to.equal(0);
    expect(raw.stderr).to.match(/^qat: warning: .*raw\.bin looks like raw 0–255 pixels .* feed pixel p as the int8 code p − 128, or pass the image as a \.png\.\n$/);
    const codes = qat('run', model, '--input', join(dir, 'codes.bin'));
    expect(codes.status, codes.stderr).to.equal(0);
    expect(codes.stderr).to.equal('');
    const zero = join(dir, 'zero.tflite');
    writeFileSync(zero, reluModel(0));
    const other = qat('run', zero, '--input', join(dir, 'raw.bin'));
    expect(other.status, other.stderr).to.equal(0);
    expect(other.stderr).to.equal('');
  });
});
