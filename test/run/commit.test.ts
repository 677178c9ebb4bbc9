// A checkpoint becomes current as a whole: every state a kill can leave
// behind (mid-write, between the two renames, during the first save, stale
// temp files) loads the last complete checkpoint and is tidied by the next writer.
import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/run/checkpoint.js';
import { commitCheckpoint, recoverRunDir } from '../../src/run/commit.js';
import { RUN_CONFIG_FORMAT, type RunConfig } from '../../src/run/config.js';
import { checkpointDir, checkpointPreviousDir, checkpointStagingDir } from '../../src/run/layout.js';
import { optimizerConfig } from '../../train/optimizers.js';
import { VariableStore } from '../../train/state.js';
import { scratchDir, useWasm } from '../train/helpers.js';
import { userErrorMessage } from '../support/user-error.js';

function model(): Graph {
  const b = new GraphBuilder('commit');
  const x = b.input('input', [4, 4, 1]);
  return b.build([b.dense('fc', b.flatten('flat', x), 3)]);
}

function config(epoch: number): RunConfig {
  return {
    format: RUN_CONFIG_FORMAT, version: 1, model: 'commit', modelOptions: {}, dataset: 'tiny', inputShape: [4, 4, 1], numClasses: 3,
    seed: 1, batchSize: 2, epochs: 3, lr: 0.001, schedule: 'constant', optimizer: optimizerConfig('adam'),
    epoch, stepInEpoch: 0, step: epoch, stepsPerEpoch: 1, complete: false, backend: 'wasm',
  };
}

const userError = userErrorMessage;

describe('run/commit', () => {
  before(useWasm);
  let dir: ReturnType<typeof scratchDir>;
  let store: VariableStore;
  beforeEach(() => {
    dir = scratchDir('commit');
    store = VariableStore.forGraph(model(), 3);
    saveCheckpoint(dir.path, model(), config(1), store);
  });
  afterEach(() => {
    store.dispose();
    dir.remove();
  });

  it('keeps the previous checkpoint when a save dies half-way, and the next writer removes the half', () => {
    expect(() => commitCheckpoint(dir.path, (staging) => {
      writeFileSync(join(staging, 'weights.bin'), 'partial');
      throw new Error('killed');
    })).to.throw('killed');
    expect(loadCheckpoint(dir.path).config.epoch).to.equal(1);
    expect(recoverRunDir(dir.path)).to.deep.equal([checkpointStagingDir(dir.path)]);
    saveCheckpoint(dir.path, model(), config(2), store);
    expect(loadCheckpoint(dir.path).config.epoch).to.equal(2);
    expect(readdirSync(dir.path)).to.deep.equal(['checkpoint']);
  });

  it('loads the previous checkpoint when a kill fell between the two renames, and restores it as current', () => {
    renameSync(checkpointDir(dir.path), checkpointPreviousDir(dir.path));
    mkdirSync(checkpointStagingDir(dir.path));
    expect(loadCheckpoint(dir.path).config.epoch).to.equal(1);
    recoverRunDir(dir.path);
    expect(readdirSync(dir.path)).to.deep.equal(['checkpoint']);
    expect(loadCheckpoint(dir.path).config.epoch).to.equal(1);
  });

  it('says a run whose first save was interrupted holds no finished checkpoint, and a writer clears it', () => {
    const run = join(dir.path, 'first');
    mkdirSync(checkpointStagingDir(run), { recursive: true });
    writeFileSync(join(checkpointStagingDir(run), 'weights.bin'), 'partial');
    expect(userError(() => loadCheckpoint(run))).to.match(/holds no finished checkpoint: its first save was interrupted; start it again with the same qat train --out command$/);
    recoverRunDir(run);
    expect(readdirSync(run)).to.deep.equal([]);
  });

  it('removes temp files of killed atomic writes, and a checkpoint directory a file-by-file save left empty', () => {
    writeFileSync(join(dir.path, '.metrics.json.tmp-4242'), '{"fo');
    writeFileSync(join(checkpointDir(dir.path), '.weights.bin.tmp-4242'), 'x');
    recoverRunDir(dir.path);
    expect(readdirSync(dir.path)).to.deep.equal(['checkpoint']);
    expect(readdirSync(checkpointDir(dir.path))).to.not.include('.weights.bin.tmp-4242');
    const old = join(dir.path, 'old');
    mkdirSync(checkpointDir(old), { recursive: true });
    writeFileSync(join(checkpointDir(old), '.weights.bin.tmp-17'), 'x');
    recoverRunDir(old);
    expect(existsSync(checkpointDir(old))).to.equal(false);
  });

  it('refuses a checkpoint whose weights are not finite, in one sentence', () => {
    store.get('fc/kernel').assign(store.get('fc/kernel').mul(Number.NaN));
    saveCheckpoint(dir.path, model(), config(2), store);
    expect(userError(() => loadCheckpoint(dir.path))).to.match(/holds non-finite values in 'fc\/kernel' \(training diverged before it was saved\)/);
  });
});
