// The main thread's handles on its training workers: start them, send a
// step, get its result, stop them. Any failure of a worker — an exception in
// its step, a crash, an unexpected exit — rejects with one sentence. Workers
// are unref'd while idle, so a forgotten pool never keeps the process alive.
import { Worker } from 'node:worker_threads';
import { UserError } from '../../src/errors.js';
import type { ErrorMessage, FromWorker, InitMessage, ResultMessage, StepMessage } from './protocol.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

interface Pending {
  resolve(m: FromWorker): void;
  reject(e: Error): void;
}

/** The error a worker's report becomes on the main thread. */
export function workerFailure(replica: number, e: Pick<ErrorMessage, 'message' | 'user' | 'stack'>): Error {
  const first = e.message.split('\n')[0];
  // A user's mistake reads the same whichever thread met it.
  const err = e.user ? new UserError(first) : new Error(`training worker ${replica} failed: ${first}`);
  if (e.stack) err.stack = `${err.name}: ${err.message}\n  in worker ${replica}: ${e.stack}`;
  return err;
}

export class TrainingWorker {
  private readonly worker: Worker;
  private pending: Pending | null = null;
  private failed: Error | null = null;
  private closing = false;
  private readonly exited: Promise<void>;

  private constructor(readonly replica: number) {
    this.worker = new Worker(WORKER_URL);
    this.worker.on('message', (m: FromWorker) => {
      const p = this.take();
      if (!p) return;
      if (m.type === 'error') p.reject(workerFailure(this.replica, m));
      else p.resolve(m);
    });
    this.worker.on('error', (e: Error) => this.fail(workerFailure(this.replica, { message: e.message, user: false, ...(e.stack ? { stack: e.stack } : {}) })));
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`training worker ${this.replica} stopped unexpectedly (exit code ${code})`));
        resolve();
      });
    });
  }

  /** Starts a worker and waits until its replica is built. */
  static async start(init: InitMessage): Promise<TrainingWorker> {
    const w = new TrainingWorker(init.replica);
    try {
      await w.request(init);
    } catch (e) {
      await w.close();
      throw e;
    }
    return w;
  }

  /** Sends one step; resolves with the shard's result. */
  async step(m: StepMessage, transfer: ArrayBuffer[]): Promise<ResultMessage> {
    const r = await this.request(m, transfer);
    if (r.type !== 'result' || r.id !== m.id) throw new Error(`training worker ${this.replica} answered step ${m.id} out of order`);
    return r;
  }

  async close(): Promise<void> {
    if (this.closing) return this.exited;
    this.closing = true;
    this.take()?.reject(new Error(`training worker ${this.replica} was stopped`));
    await this.worker.terminate();
    await this.exited;
  }

  private request(m: InitMessage | StepMessage, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.pending) return Promise.reject(new Error(`training worker ${this.replica} is busy`));
    return new Promise<FromWorker>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.ref();
      this.worker.postMessage(m, transfer);
    });
  }

  private take(): Pending | null {
    const p = this.pending;
    this.pending = null;
    if (!this.closing) this.worker.unref();
    return p;
  }

  private fail(e: Error): void {
    this.failed ??= e;
    this.take()?.reject(this.failed);
  }
}
