// The run directory's layout is a file format users and scripts rely on
// (qat train writes it, qat eval/export/parity/report read it): pin it.
import { expect } from 'chai';
import { join } from 'node:path';
import { CHECKPOINT_FILES, checkpointDir, checkpointIndexPath, metricsPath, reportPath, runConfigPath } from '../../src/run/layout.js';

describe('run/layout', () => {
  it('places every part of a run where the README and earlier runs expect it', () => {
    const run = join('runs', 'cnn');
    expect(checkpointDir(run)).to.equal(join(run, 'checkpoint'));
    expect(checkpointIndexPath(run)).to.equal(join(run, 'checkpoint', 'index.json'));
    expect(runConfigPath(run)).to.equal(join(run, 'checkpoint', 'config.json'));
    expect(metricsPath(run)).to.equal(join(run, 'metrics.json'));
    expect(reportPath(run)).to.equal(join(run, 'report.html'));
    expect(CHECKPOINT_FILES).to.deep.equal({ weights: 'weights.bin', ir: 'ir.json', config: 'config.json', index: 'index.json' });
  });
});
