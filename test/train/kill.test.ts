// Fault injection: `qat train` killed with SIGKILL at seeded random moments
// (while starting, training, evaluating and saving). After every kill the
// run directory must load (or, killed before its first checkpoint, restart
// with the same command), its checkpoint's metrics must hold every epoch it
// trained, and a chain of kills and resumes must end with the same weights
// as an uninterrupted run and no temp files. QAT_KILLS sets the number of
// kills (default 30; the one-off figure was measured with 100).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';
import { loadCheckpoint } from '../../src/run/checkpoint.js';
import { readableCheckpointDir } from '../../src/run/commit.js';
import { checkpointPreviousDir, checkpointStagingDir, metricsPath } from '../../src/run/layout.js';
import { loadRun } from '../../src/run/open.js';
import { readMetrics } from '../../src/run/metrics.js';
import { seededRandom } from '../../datasets/random.js';
import { scratchDir, useWasm } from './helpers.js';
import { CLI_MAIN } from '../support/cli.js';

const EPOCHS = 8;
const TRAIN = ['--model', 'lenet5', '--dataset', 'synthetic', '--limit', '16', '--batch', '8', '--epochs', String(EPOCHS), '--seed', '3', '--backend', 'wasm'];
const KILLS = Number(process.env.QAT_KILLS ?? 30);

interface Attempt {
  /** Exit code, or null when killed. */
  status: number | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the first epoch line (or the model line) to each later epoch line. */
  epochTimes: number[];
}

/** When to kill: a delay after an epoch line, or the moment a save starts staging a checkpoint in `runDir`. */
type KillAt = { afterEpochs: number; delay: number } | { atSaveIn: string };

/**
 * Runs `qat train` and, when `killAt` is given, sends SIGKILL `killAt.delay` ms
 * after this process's `killAt.afterEpochs`-th epoch line (0: after the model
 * line), or as soon as the staging directory of a save appears in `atSaveIn`
 * (a save of a tiny model takes milliseconds, so timed kills alone may miss
 * every one of them on a fast machine).
 */
function attempt(args: string[], killAt?: KillAt): Promise<Attempt> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI_MAIN, 'train', ...args]);
    let watcher: FSWatcher | null = null;
    if (killAt && 'atSaveIn' in killAt) {
      const staging = basename(checkpointStagingDir(killAt.atSaveIn));
      watcher = watch(killAt.atSaveIn, (_event, name) => {
        if (name === staging) child.kill('SIGKILL');
      });
    }
    let stdout = '';
    let stderr = '';
    let epochs = -1;
    let t0 = 0;
    const epochTimes: number[] = [];
    child.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        const starts = /^model: /.test(line) ? 0 : /^epoch \d+\/\d+  loss/.test(line) ? 1 : -1;
        if (starts < 0) continue;
        if (starts === 0) t0 = performance.now(); else epochTimes.push(performance.now() - t0);
        epochs += 1;
        if (killAt && 'afterEpochs' in killAt && epochs === killAt.afterEpochs) setTimeout(() => child.kill('SIGKILL'), killAt.delay);
      }
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (status) => {
      watcher?.close();
      done({ status, stdout, stderr, epochTimes });
    });
  });
}

function hiddenLeftovers(dir: string): string[] {
  const names = existsSync(dir) ? readdirSync(dir) : [];
  const inCkpt = existsSync(join(dir, 'checkpoint')) ? readdirSync(join(dir, 'checkpoint')) : [];
  return [...names, ...inCkpt].filter((n) => n.startsWith('.'));
}

describe('qat train under kill -9', function () {
  this.timeout(30 * 60 * 1000);
  before(useWasm);
  const dir = scratchDir('kill');
  after(() => dir.remove());

  it(`${KILLS} seeded kills: every run directory loads or restarts, no metrics lost, resumed = uninterrupted, no temp files`, async () => {
    const refDir = join(dir.path, 'reference');
    const ref = await attempt([...TRAIN, '--out', refDir]);
    expect(ref.status, ref.stderr).to.equal(0);
    const refWeights = readFileSync(join(refDir, 'checkpoint', 'weights.bin'));
    // Kill delays span an epoch (training, evaluation and the save at its end) and a little more.
    const epochMs = Math.max(50, (ref.epochTimes.at(-1)! - ref.epochTimes[0]) / (EPOCHS - 1));
    const random = seededRandom(20261205);
    const tally = { kills: 0, midSave: 0, beforeFirstCheckpoint: 0, unloadable: 0, lostEpochs: 0, chains: 0, tempFilesLeft: 0, resumedDiffers: 0 };
    let chain = join(dir.path, 'chain-0');
    while (true) {
      const have = readableCheckpointDir(chain) ? loadCheckpoint(chain).config.epoch : -1;
      const args = have >= 0 ? [...TRAIN, '--from', chain] : [...TRAIN, '--out', chain];
      const remaining = EPOCHS - Math.max(have, 0);
      const killing = tally.kills < KILLS;
      // One kill in four waits for a save to start (once the run has a directory to watch).
      const atSave = have >= 0 && random() < 0.25;
      const killAt: KillAt = atSave ? { atSaveIn: chain } : { afterEpochs: Math.floor(random() * remaining), delay: random() * 1.3 * epochMs };
      const a = await attempt(args, killing ? killAt : undefined);
      if (a.status === null) {
        tally.kills += 1;
        if (existsSync(checkpointStagingDir(chain)) || existsSync(checkpointPreviousDir(chain))) tally.midSave += 1;
        if (!readableCheckpointDir(chain)) {
          tally.beforeFirstCheckpoint += 1;
          continue;
        }
        try {
          const run = loadRun(chain);
          run.dispose();
          const ckpt = loadCheckpoint(chain);
          const saved = new Set(ckpt.metrics?.epochs.map((e) => e.epoch));
          for (let e = 1; e <= ckpt.config.epoch; e++) if (!saved.has(e)) tally.lostEpochs += 1;
        } catch {
          tally.unloadable += 1;
        }
        continue;
      }
      expect(a.status, a.stderr).to.equal(0);
      tally.chains += 1;
      const epochs = readMetrics(chain)!.epochs.map((e) => e.epoch);
      tally.lostEpochs += EPOCHS - new Set(epochs).size;
      expect(epochs, 'each epoch once').to.deep.equal(Array.from({ length: EPOCHS }, (_, i) => i + 1));
      tally.tempFilesLeft += hiddenLeftovers(chain).length;
      if (!readFileSync(join(chain, 'checkpoint', 'weights.bin')).equals(refWeights)) tally.resumedDiffers += 1;
      if (!killing) break;
      chain = join(dir.path, `chain-${tally.chains}`);
    }
    console.log(`      kill -9 tally: ${JSON.stringify(tally)}`);
    expect(tally).to.include({ kills: KILLS, unloadable: 0, lostEpochs: 0, tempFilesLeft: 0, resumedDiffers: 0 });
    expect(tally.midSave, 'some kills land inside a save').to.be.greaterThan(0);
  });
});
