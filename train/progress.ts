// Training progress for people: a redrawn bar with images/s and ETA on a
// TTY, plain lines (a few per epoch) when output goes to a file or a pipe.
import { formatBytes } from '../src/backend-memory.js';

export interface StepInfo {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  accuracy: number;
  imagesPerSec: number;
  /** Peak bytes in backend buffers so far (wasm). */
  peakBytes?: number;
}

export interface ProgressSink {
  step(info: StepInfo): void;
  /** A finished line (epoch summary, notices). */
  line(text: string): void;
}

export const silentProgress: ProgressSink = { step() {}, line() {} };

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function describe(i: StepInfo): string {
  const memory = i.peakBytes !== undefined ? `  peak ${formatBytes(i.peakBytes)}` : '';
  return `loss ${i.loss.toFixed(4)}  acc ${(100 * i.accuracy).toFixed(2)}%  ${i.imagesPerSec.toFixed(1)} img/s${memory}`;
}

/** `stream` defaults to stdout; `batchSize` turns steps left into an ETA. */
export function consoleProgress(batchSize: number, stream: NodeJS.WriteStream = process.stdout): ProgressSink {
  const tty = Boolean(stream.isTTY);
  let lastDraw = 0;
  let lastPlain = -1;
  let drawn = false;
  const eta = (i: StepInfo): string => clock(i.imagesPerSec > 0 ? ((i.steps - i.step) * batchSize) / i.imagesPerSec : NaN);
  return {
    step(i) {
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && i.step < i.steps) return;
        lastDraw = now;
        const width = 24;
        const filled = Math.round((width * i.step) / i.steps);
        const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
        const text = `epoch ${i.epoch}/${i.epochs} ${bar} ${i.step}/${i.steps}  ${describe(i)}  ETA ${eta(i)}`;
        stream.write(`\r${text.slice(0, (stream.columns || 120) - 1)}\x1b[K`);
        drawn = true;
        return;
      }
      // Four plain lines per epoch: enough to see it moving, few enough for CI logs.
      const quarter = Math.floor((4 * i.step) / i.steps);
      if (quarter > lastPlain && quarter > 0 && i.step < i.steps) {
        lastPlain = quarter;
        stream.write(`epoch ${i.epoch}/${i.epochs} step ${i.step}/${i.steps}  ${describe(i)}  ETA ${eta(i)}\n`);
      }
      if (i.step >= i.steps) lastPlain = -1;
    },
    line(text) {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
      stream.write(`${text}\n`);
    },
  };
}
