/**
 * A reusable barrier for worker threads over a SharedArrayBuffer (Atomics.wait blocks, so it is
 * for workers only). Any party can abort it: every waiter, now and later, throws instead of hanging.
 */
export class SharedBarrier {
  /** [arrived, generation, aborted] */
  private readonly control: Int32Array;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly parties: number,
  ) {
    this.control = new Int32Array(buffer);
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  }

  wait(): void {
    const generation = Atomics.load(this.control, 1);
    this.throwIfAborted();
    if (Atomics.add(this.control, 0, 1) === this.parties - 1) {
      Atomics.store(this.control, 0, 0);
      Atomics.add(this.control, 1, 1);
      Atomics.notify(this.control, 1);
      return;
    }
    while (Atomics.load(this.control, 1) === generation) {
      Atomics.wait(this.control, 1, generation, 1000);
      this.throwIfAborted();
    }
  }

  abort(): void {
    Atomics.store(this.control, 2, 1);
    Atomics.add(this.control, 1, 1);
    Atomics.notify(this.control, 1);
  }

  private throwIfAborted(): void {
    if (Atomics.load(this.control, 2) !== 0) throw new Error('another engine worker failed during this step');
  }
}
