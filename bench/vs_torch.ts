// qat's training speed against PyTorch's on this machine, side by side in
// one run: each round runs the PyTorch anchor scripts (../shared/anchors,
// beside the repository; run from there, never copied) and qat's step
// (bench/qat_rate.ts, one child process per measurement so every run
// starts with a fresh wasm heap and a model too big for it is skipped, not
// fatal), alternating which goes first. Prints the best round of each.
//
//   npm run bench:vs-torch -- [--rounds 2] [--steps 5] [--models mnist-cnn,mobilenet-v2,mobilenet-v1] [--workers 2]
//
// qat runs with one worker and with --workers replicas (default: min(2, cores),
// what `qat train --workers auto` tries), so both ratios print side by side.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RateResult } from './qat_rate.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ANCHORS = resolve(ROOT, '..', 'shared', 'anchors');
const PYTHON = '/usr/bin/python3';

interface TorchRates { float?: number; qat?: number }

interface ModelRow {
  key: string;
  label: string;
  model: string;
  alpha?: number;
  size: number;
  channels: number;
  /** qat's batch, then smaller ones to try when a batch does not fit the wasm heap. */
  batches: number[];
  /** Each anchor run: script arguments, what it measures, and whether it runs in the first round only (epoch-long runs). */
  torch: Array<{ args: string[]; parse: (out: string) => TorchRates; firstRoundOnly?: boolean }>;
}

const number = (out: string, re: RegExp): number | undefined => {
  const m = re.exec(out);
  return m ? Number(m[1]) : undefined;
};

const mobilenetAnchor = (args: string[]) => ({
  args: ['torch-mobilenet-anchor.py', ...args],
  parse: (out: string): TorchRates => ({
    float: number(out, /float train (\d+(?:\.\d+)?) img\/s/), qat: number(out, /QAT train (\d+(?:\.\d+)?) img\/s/),
  }),
});

const ROWS: ModelRow[] = [
  {
    key: 'mnist-cnn', label: 'reference CNN (mnist-cnn) 28×28×1', model: 'mnist-cnn', size: 28, channels: 1, batches: [64],
    torch: [
      { args: ['torch-anchor.py', '64', '30'], parse: (out) => ({ float: number(out, /train (\d+(?:\.\d+)?) img\/s/) }) },
      // The only anchor that trains the reference CNN with QAT: one eager-QAT epoch on Fashion-MNIST (no float
      // epochs). An epoch is already a long average, and minutes long on a loaded machine: first round only.
      {
        args: ['torch-qat-anchor.py', '0', '1', 'qnnpack'], firstRoundOnly: true,
        parse: (out) => ({ qat: number(out, /QAT \(\w+\): \d+ epochs, (\d+(?:\.\d+)?) img\/s/) }),
      },
    ],
  },
  {
    key: 'mobilenet-v2', label: 'mobilenet-v2 α0.35 32×32×1', model: 'mobilenet-v2', alpha: 0.35, size: 32, channels: 1, batches: [64],
    torch: [mobilenetAnchor(['--model', 'v2', '--alpha', '0.35', '--size', '32', '--channels', '1'])],
  },
  {
    key: 'mobilenet-v1', label: 'mobilenet-v1 α1 96×96×3', model: 'mobilenet-v1', alpha: 1, size: 96, channels: 3, batches: [32, 16, 8],
    torch: [mobilenetAnchor(['--model', 'v1', '--alpha', '1', '--size', '96', '--channels', '3', '--batch', '32'])],
  },
];

/** Why PyTorch cannot run here, or null when it can. */
function torchMissing(): string | null {
  if (!existsSync(ANCHORS)) return `the PyTorch anchor scripts are not at ${ANCHORS} (the shared folder beside the repository)`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.status !== 0) return 'PyTorch is not installed (Debian python3-torch)';
  return null;
}

function runTorch(row: ModelRow, round: number): TorchRates {
  // The OPENBLAS_* variables set on these machines slow a current OpenBLAS (anchors/README).
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const rates: TorchRates = {};
  for (const a of row.torch) {
    if (a.firstRoundOnly && round > 0) continue;
    const r = spawnSync(PYTHON, a.args, { cwd: ANCHORS, env, encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`  PyTorch ${a.args[0]} failed: ${lastLine(r.stderr) || `exit ${r.status}`}`);
      continue;
    }
    Object.assign(rates, Object.fromEntries(Object.entries(a.parse(r.stdout)).filter(([, v]) => v !== undefined)));
  }
  return rates;
}

function lastLine(s: string | null): string {
  return (s ?? '').trim().split('\n').filter(Boolean).pop() ?? '';
}

type QatRun = { ok: true; rate: RateResult; batch: number } | { ok: false; why: string };

/** qat's rate in a child process, trying smaller batches while the batch does not fit. */
function runQat(row: ModelRow, qat: boolean, steps: number, batches: number[], workers: number): QatRun {
  let why = '';
  for (const batch of batches) {
    const args = [resolve(ROOT, 'dist', 'bench', 'qat_rate.js'), '--model', row.model, '--size', String(row.size),
      '--channels', String(row.channels), '--batch', String(batch), '--steps', String(steps), '--workers', String(workers)];
    if (row.alpha !== undefined) args.push('--alpha', String(row.alpha));
    if (qat) args.push('--qat');
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const line = lastLine(r.stdout);
    if (r.status === 0 && line.startsWith('{')) return { ok: true, rate: JSON.parse(line) as RateResult, batch };
    why = `batch ${batch}: ${lastLine(r.stderr) || `exit ${r.status ?? r.signal}`}`;
    console.log(`  qat ${row.key} ${qat ? 'QAT' : 'float'} ${workers} worker(s) ${why}`);
  }
  return { ok: false, why };
}

type Mode = 'float' | 'QAT';
const MODES: Mode[] = ['float', 'QAT'];

interface Tally {
  torch: Record<Mode, number[]>;
  /** qat's img/s by mode and worker count. */
  qat: Map<string, number[]>;
  qatBatch?: number;
  skipped?: string;
}

const key = (mode: Mode, workers: number): string => `${mode}/${workers}`;
const best = (xs: number[] | undefined): number | undefined => (xs?.length ? Math.max(...xs) : undefined);
const fmt = (x: number | undefined): string => (x === undefined ? '—' : x.toFixed(0));
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '—' : `${(a / b).toFixed(2)}×`);

function main(): void {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '2' },
      steps: { type: 'string', default: '5' },
      models: { type: 'string', default: ROWS.map((r) => r.key).join(',') },
      workers: { type: 'string', default: String(Math.min(2, availableParallelism())) },
    },
  });
  const rounds = Number(values.rounds);
  const steps = Number(values.steps);
  // qat with one worker, and with the data-parallel replicas `qat train --workers auto` uses on this machine.
  const workerCounts = [...new Set([1, Number(values.workers)])].filter((w) => Number.isInteger(w) && w >= 1);
  const keys = values.models.split(',').map((s) => s.trim()).filter(Boolean);
  const rows = keys.map((k) => {
    const r = ROWS.find((x) => x.key === k);
    if (!r) throw new Error(`unknown model '${k}' (${ROWS.map((x) => x.key).join(', ')})`);
    return r;
  });
  const missing = torchMissing();
  if (missing) console.log(`${missing}: timing qat only.`);
  console.log(`training img/s, qat on tfjs wasm (own SIMD kernels; ${workerCounts.join(' and ')} worker(s)) vs PyTorch (2 threads); ${rounds} alternating rounds, best of each`);
  const tallies = new Map<string, Tally>(rows.map((r) => [r.key, { torch: { float: [], QAT: [] }, qat: new Map() }]));
  for (let round = 0; round < rounds; round++) {
    for (const row of rows) {
      const t = tallies.get(row.key)!;
      const torch = (): void => {
        if (missing) return;
        const r = runTorch(row, round);
        if (r.float !== undefined) t.torch.float.push(r.float);
        if (r.qat !== undefined) t.torch.QAT.push(r.qat);
      };
      const qat = (): void => {
        for (const workers of workerCounts) {
          for (const mode of MODES) {
            if (t.skipped) return;
            const r = runQat(row, mode === 'QAT', steps, row.batches.filter((b) => b <= (t.qatBatch ?? Infinity)), workers);
            if (!r.ok) {
              t.skipped = r.why;
              return;
            }
            t.qatBatch = r.batch;
            const k = key(mode, workers);
            t.qat.set(k, [...(t.qat.get(k) ?? []), r.rate.imagesPerSecond]);
          }
        }
      };
      if (round % 2 === 0) { torch(); qat(); } else { qat(); torch(); }
      const last = (k: string): string => t.qat.get(k)?.at(-1)?.toFixed(1) ?? '—';
      console.log(`  round ${round + 1} ${row.key}: torch float ${t.torch.float.at(-1)?.toFixed(0) ?? '—'} QAT ${t.torch.QAT.at(-1)?.toFixed(0) ?? '—'} | `
        + workerCounts.map((w) => `qat ${w}w float ${last(key('float', w))} QAT ${last(key('QAT', w))}`).join(' | '));
    }
    // After every round, so a run stopped early (these runs are long on a loaded machine) still leaves a table.
    printTable(rows, tallies, round + 1, workerCounts);
  }
}

function printTable(rows: ModelRow[], tallies: Map<string, Tally>, rounds: number, workerCounts: number[]): void {
  console.log(`\nbest of ${rounds} round${rounds > 1 ? 's' : ''}:`);
  console.log(`| model | | PyTorch |${workerCounts.map((w) => ` qat, ${w} worker${w > 1 ? 's' : ''} | ratio |`).join('')}`);
  console.log(`|---|---|---|${workerCounts.map(() => '---|---|').join('')}`);
  for (const row of rows) {
    const t = tallies.get(row.key)!;
    const batch = t.qatBatch !== undefined && t.qatBatch !== row.batches[0] ? ` (qat batch ${t.qatBatch})` : '';
    for (const mode of MODES) {
      const torch = best(t.torch[mode]);
      const cells = workerCounts.map((w) => {
        const q = best(t.qat.get(key(mode, w)));
        return ` ${fmt(q)} | ${ratio(q, torch)} |`;
      }).join('');
      console.log(`| ${row.label}${batch} | ${mode} | ${fmt(torch)} |${cells}`);
    }
    const perWorker = workerCounts.map((w) => `${ratio(best(t.qat.get(key('float', w))), best(t.qat.get(key('QAT', w))))} with ${w}`).join(', ');
    console.log(`  qat QAT step / float step: ${perWorker}`);
    if (t.skipped) console.log(`  qat skipped ${row.label}: ${t.skipped}`);
  }
}

main();
