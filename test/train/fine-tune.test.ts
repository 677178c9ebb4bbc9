// The recipe a QAT fine-tune derives from its float run: flags win, the
// learning rate scales with the float run's, and the header phrase says so.
import { expect } from 'chai';
import { deriveFineTune, describeFineTune, FINE_TUNE_DEFAULTS } from '../../train/fine-tune.js';
import { DEFAULT_LR } from '../../train/loop.js';
import { optimizerConfig } from '../../train/optimizers.js';

const parent = (lr: number, augmentShift?: number): Parameters<typeof deriveFineTune>[0] => ({
  lr, optimizer: optimizerConfig('adam'), ...(augmentShift !== undefined ? { augmentShift } : {}),
});

describe('QAT fine-tune recipe', () => {
  it('scales the learning rate with the float run and takes the default schedule, epochs and shifts', () => {
    for (const lr of [2e-3, 5e-3, 1e-2]) {
      const r = deriveFineTune(parent(lr, 1), {}, DEFAULT_LR);
      expect(r.lr).to.equal(lr * FINE_TUNE_DEFAULTS.lrFactor);
      expect(r.schedule).to.equal(FINE_TUNE_DEFAULTS.schedule);
      expect(r.epochs).to.equal(FINE_TUNE_DEFAULTS.epochs);
      expect(r.augmentShift).to.equal(FINE_TUNE_DEFAULTS.augmentShift === 0 ? 0 : 1);
      expect(r.lrOrigin).to.equal(`${FINE_TUNE_DEFAULTS.lrFactor} × the float run's ${lr}`);
    }
    expect(deriveFineTune(parent(1e-3), {}, DEFAULT_LR).augmentShift).to.equal(0);
  });

  it('keeps what flags set', () => {
    const r = deriveFineTune(parent(2e-3, 1), { lr: 3e-4, schedule: 'step', epochs: 2, augmentShift: 2, optimizer: 'adam' }, DEFAULT_LR);
    expect(r).to.deep.equal({ lr: 3e-4, schedule: 'step', epochs: 2, augmentShift: 2, lrOrigin: 'set by --lr' });
    expect(deriveFineTune(parent(2e-3, 1), { augmentShift: 0 }, DEFAULT_LR).augmentShift).to.equal(0);
  });

  it("scales another optimizer's default rate when --optimizer changes it", () => {
    const r = deriveFineTune(parent(2e-3), { optimizer: 'sgd' }, DEFAULT_LR);
    expect(r.lr).to.equal(DEFAULT_LR.sgd * FINE_TUNE_DEFAULTS.lrFactor);
    expect(r.lrOrigin).to.equal(`${FINE_TUNE_DEFAULTS.lrFactor} × sgd's default ${DEFAULT_LR.sgd}`);
  });

  it('describes itself for the header line', () => {
    const r = deriveFineTune(parent(2e-3), {}, DEFAULT_LR);
    expect(describeFineTune('adam', r)).to.equal(`adam lr ${r.lr} ${r.schedule} (fine-tune: lr ${FINE_TUNE_DEFAULTS.lrFactor} × the float run's 0.002)`);
  });
});
