// A one-line progress bar for long checks on a TTY; silent otherwise (logs
// and pipes get the final summary only).

export interface Progress {
  update(done: number, total: number): void;
  /** Clears the bar. */
  done(): void;
}

export function barProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let drawn = false;
  let last = 0;
  // The clock starts at the first report, so time spent before the check began does not dilute the rate.
  let first: { t: number; done: number } | null = null;
  return {
    update(done, total) {
      const now = Date.now();
      first ??= { t: now, done };
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 24;
      const filled = total ? Math.round((width * done) / total) : width;
      const rate = now > first.t ? `  ${((done - first.done) / ((now - first.t) / 1000)).toFixed(0)}/s` : '';
      stream.write(`\r${label} ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total}${rate}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
