// Admits connections up to the process's descriptor budget. The count lives in shared memory
// so every thread of a process (multi-loop, worker-pool) draws on the one budget.

/** A process-wide budget of concurrent connections. */
export class ConnectionGate {
  private readonly count: Int32Array;
  readonly limit: number;

  constructor(limit: number, shared: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.limit = limit;
    this.count = new Int32Array(shared);
  }

  /** The memory to hand to other threads so they share this budget. */
  get buffer(): SharedArrayBuffer {
    return this.count.buffer as SharedArrayBuffer;
  }

  /** Takes one place; false when the budget is spent (the caller refuses the connection). */
  tryAdmit(): boolean {
    if (Atomics.add(this.count, 0, 1) < this.limit) return true;
    Atomics.sub(this.count, 0, 1);
    return false;
  }

  release(): void {
    Atomics.sub(this.count, 0, 1);
  }

  get current(): number {
    return Atomics.load(this.count, 0);
  }
}
