import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WitError } from '../../core/index.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.js';

interface Pending {
  resolve: (reply: WorkerReply) => void;
  reject: (error: Error) => void;
}

/**
 * The worker entry: the compiled sibling when running from dist/; when the engine runs from its
 * TypeScript sources (vitest), the built copy under dist/ (`npm run build` first).
 */
function workerEntry(): URL {
  const sibling = new URL('./worker-main.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const built = new URL('../../dist/train/engine/worker-main.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new WitError(`The engine worker ${fileURLToPath(built)} is missing; run \`npm run build\` first.`);
}

/** Engine worker threads, each answering its requests in order. */
export class EngineWorkerPool {
  private readonly pending: Pending[][];
  private failure: Error | undefined;

  private constructor(private readonly threads: Worker[]) {
    this.pending = threads.map(() => []);
    threads.forEach((thread, index) => {
      thread.on('message', (reply: WorkerReply) => this.settle(index, reply));
      thread.on('error', (error) => this.fail(error));
      thread.on('exit', (code) => this.fail(new Error(`engine worker ${index} exited (code ${code})`)));
    });
  }

  /** Starts the workers and waits until each has loaded its wasm backend and weights. */
  static async start(inits: WorkerInit[]): Promise<EngineWorkerPool> {
    const entry = workerEntry();
    const pool = new EngineWorkerPool(inits.map((init) => new Worker(entry, { workerData: init })));
    await Promise.all(pool.threads.map((_, index) => pool.expect(index)));
    return pool;
  }

  get size(): number {
    return this.threads.length;
  }

  request(index: number, request: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    const reply = this.expect(index);
    this.threads[index]!.postMessage(request, transfer);
    return reply;
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the engine was disposed');
    await Promise.all(this.threads.map((thread) => thread.terminate()));
  }

  /** Holds the process open only while a reply is awaited, so a forgotten engine does not block exit. */
  private expect(index: number): Promise<WorkerReply> {
    const thread = this.threads[index]!;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending[index]!.push({ resolve, reject });
      thread.ref();
    });
  }

  private settle(index: number, reply: WorkerReply): void {
    const waiter = this.pending[index]!.shift();
    if (this.pending[index]!.length === 0) this.threads[index]!.unref();
    if (!waiter) return;
    if (reply.kind === 'failed') {
      const error = new Error(`engine worker ${index}: ${reply.message}`);
      if (reply.stack) error.stack = reply.stack;
      this.failure ??= error;
      waiter.reject(error);
    } else {
      waiter.resolve(reply);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const queue of this.pending) for (const waiter of queue.splice(0)) waiter.reject(this.failure);
  }
}
