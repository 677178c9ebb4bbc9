import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { readdirSync, readFileSync, writeFileSync, truncateSync, statSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import { loadCheckpoint, restoreStore, saveCheckpoint } from '../../src/run/checkpoint.js';
import { checkpointDir } from '../../src/run/layout.js';
import { RUN_CONFIG_FORMAT, type RunConfig } from '../../src/run/config.js';
import { createOptimizer, optimizerConfig } from '../../train/optimizers.js';
import { VariableStore, checkNamesMatch } from '../../train/state.js';
import { scratchDir, useWasm } from '../train/helpers.js';
import { userErrorMessage } from '../support/user-error.js';

function model(extraName = 'fc'): Graph {
  const b = new GraphBuilder('ckpt');
  let x = b.input('input', [6, 6, 1]);
  x = b.relu('conv_relu', b.batchNorm('conv_bn', b.conv2d('conv', x, { filters: 3, kernelSize: 3, useBias: false })));
  x = b.globalAvgPool('pool', x);
  return b.build([b.dense(extraName, x, 4)]);
}

function config(): RunConfig {
  return {
    format: RUN_CONFIG_FORMAT, version: 1, model: 'ckpt', modelOptions: {}, dataset: 'tiny', inputShape: [6, 6, 1], numClasses: 4,
    seed: 1, batchSize: 2, epochs: 1, lr: 0.001, schedule: 'constant', optimizer: optimizerConfig('adam'),
    epoch: 0, stepInEpoch: 1, step: 5, stepsPerEpoch: 3, complete: false, backend: 'wasm',
  };
}

const catchUserError = userErrorMessage;

describe('run/checkpoint', () => {
  before(useWasm);
  let dir: ReturnType<typeof scratchDir>;
  let store: VariableStore;
  beforeEach(() => {
    dir = scratchDir('ckpt');
    store = VariableStore.forGraph(model(), 11);
    createOptimizer(optimizerConfig('adam'), store);
    store.setStep(5);
    saveCheckpoint(dir.path, model(), config(), store);
  });
  afterEach(() => {
    store.dispose();
    dir.remove();
  });

  it('round-trips every variable bit-exactly, with the IR, config and step', () => {
    const ck = loadCheckpoint(dir.path);
    expect(ck.ir).to.deep.equal(model());
    expect(ck.config).to.deep.equal(config());
    expect([...ck.tensors.keys()]).to.deep.equal(store.names());
    const restored = restoreStore(ck, { includeOptimizer: true });
    try {
      expect(restored.step).to.equal(5);
      for (const n of store.names()) {
        expect(Array.from(restored.get(n).dataSync()), n).to.deep.equal(Array.from(store.get(n).dataSync()));
        expect(restored.kindOf(n)).to.equal(store.kindOf(n));
      }
    } finally {
      restored.dispose();
    }
    // Model-only restore (eval) leaves optimizer slots out.
    const evalStore = restoreStore(ck);
    expect(evalStore.names(['slot'])).to.deep.equal([]);
    evalStore.dispose();
  });

  it('stores weights little-endian float32 at the offsets its index records', () => {
    const index = JSON.parse(readFileSync(join(checkpointDir(dir.path), 'index.json'), 'utf8')) as { entries: Array<{ name: string; offset: number }> };
    const bin = readFileSync(join(checkpointDir(dir.path), 'weights.bin'));
    const e = index.entries.find((x) => x.name === 'conv/kernel')!;
    expect(bin.readFloatLE(e.offset)).to.equal(store.get('conv/kernel').dataSync()[0]);
  });

  it('leaves no temporary files behind', () => {
    expect(readdirSync(checkpointDir(dir.path)).sort()).to.deep.equal(['config.json', 'index.json', 'ir.json', 'weights.bin']);
  });

  it('names missing and unexpected variables when the model does not match', () => {
    const msg = catchUserError(() => restoreStore(loadCheckpoint(dir.path), { ir: model('head') }));
    expect(msg).to.include("missing 'head/kernel', 'head/bias'");
    expect(msg).to.include("unexpected 'fc/kernel', 'fc/bias'");
    const direct = catchUserError(() => checkNamesMatch(['a', 'b'], ['b', 'c']));
    expect(direct).to.match(/missing 'a'; unexpected 'c'/);
  });

  it('reports a truncated weights file', () => {
    const bin = join(checkpointDir(dir.path), 'weights.bin');
    const size = statSync(bin).size;
    truncateSync(bin, size - 10);
    expect(catchUserError(() => loadCheckpoint(dir.path))).to.match(/weights\.bin is truncated: \d+ of \d+ bytes/);
  });

  it('reports a corrupted (same-size) weights file and a truncated index', () => {
    const bin = join(checkpointDir(dir.path), 'weights.bin');
    const bytes = readFileSync(bin);
    bytes[3] ^= 0xff;
    writeFileSync(bin, bytes);
    expect(catchUserError(() => loadCheckpoint(dir.path))).to.include('checksum');
    const idx = join(checkpointDir(dir.path), 'index.json');
    writeFileSync(idx, readFileSync(idx, 'utf8').slice(0, 50));
    expect(catchUserError(() => loadCheckpoint(dir.path))).to.include('not valid JSON');
  });

  it('reports foreign files and directories without a checkpoint', () => {
    writeFileSync(join(checkpointDir(dir.path), 'index.json'), JSON.stringify({ format: 'keras', weights: [] }));
    expect(catchUserError(() => loadCheckpoint(dir.path))).to.include('not a qat checkpoint');
    const empty = join(dir.path, 'empty');
    mkdirSync(empty);
    expect(catchUserError(() => loadCheckpoint(empty))).to.include('holds no checkpoint');
    expect(catchUserError(() => loadCheckpoint(join(dir.path, 'absent')))).to.include('no run directory');
  });

  it('rejects a variable whose shape changed', () => {
    const b = new GraphBuilder('ckpt');
    let x = b.input('input', [6, 6, 1]);
    x = b.relu('conv_relu', b.batchNorm('conv_bn', b.conv2d('conv', x, { filters: 3, kernelSize: 3, useBias: false })));
    x = b.globalAvgPool('pool', x);
    const other = b.build([b.dense('fc', x, 7)]);
    expect(catchUserError(() => restoreStore(loadCheckpoint(dir.path), { ir: other }))).to.match(/'fc\/kernel' has shape \[3,7\] in the model but \[3,4\]/);
    expect(tf.memory().numTensors).to.be.greaterThan(0);
  });
});
