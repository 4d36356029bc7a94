/**
 * Data-parallel training runs one copy of the trainer per worker (rank), each on its share of
 * the batch; gradients are summed across ranks after every backward pass. Every rank sums in
 * rank order, so all ranks hold bit-identical results and apply identical updates.
 */
export interface Collective {
  readonly rank: number;
  readonly size: number;
  /** Replaces `values` by its element-wise sum over all ranks. Every rank must call it in step. */
  allReduceSum(values: Float32Array): void;
}

export const SINGLE_PROCESS: Collective = { rank: 0, size: 1, allReduceSum: () => undefined };

/** Shared memory for a {@link SharedMemoryCollective}, created once by the coordinator. */
export interface CollectiveBuffers {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
  /** Float32 values each rank may contribute per call. */
  capacity: number;
  size: number;
}

const COUNT = 0;
const GENERATION = 1;
const ABORTED = 2;

export function createCollectiveBuffers(size: number, capacity: number): CollectiveBuffers {
  return {
    control: new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT),
    data: new SharedArrayBuffer(size * capacity * Float32Array.BYTES_PER_ELEMENT),
    capacity,
    size,
  };
}

/** Marks the collective as failed so that every rank waiting in it throws instead of hanging. */
export function abortCollective(buffers: CollectiveBuffers): void {
  const control = new Int32Array(buffers.control);
  Atomics.store(control, ABORTED, 1);
  Atomics.add(control, GENERATION, 1);
  Atomics.notify(control, GENERATION);
}

/** A collective over SharedArrayBuffers between worker threads, with a generation barrier. */
export class SharedMemoryCollective implements Collective {
  readonly size: number;
  private readonly control: Int32Array;
  private readonly slots: Float32Array[];

  constructor(
    readonly rank: number,
    private readonly buffers: CollectiveBuffers,
    private readonly timeoutMs = 30 * 60_000,
  ) {
    this.size = buffers.size;
    this.control = new Int32Array(buffers.control);
    this.slots = Array.from(
      { length: buffers.size },
      (_, r) => new Float32Array(buffers.data, r * buffers.capacity * 4, buffers.capacity),
    );
  }

  allReduceSum(values: Float32Array): void {
    if (values.length > this.buffers.capacity) {
      throw new Error(
        `allReduceSum of ${values.length} values exceeds the capacity ${this.buffers.capacity}.`,
      );
    }
    this.slots[this.rank].set(values);
    this.barrier();
    for (let i = 0; i < values.length; i++) {
      let sum = this.slots[0][i];
      for (let r = 1; r < this.size; r++) sum += this.slots[r][i];
      values[i] = sum;
    }
    this.barrier();
  }

  private barrier(): void {
    const control = this.control;
    const generation = Atomics.load(control, GENERATION);
    this.throwIfAborted();
    if (Atomics.add(control, COUNT, 1) === this.size - 1) {
      Atomics.store(control, COUNT, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      return;
    }
    const deadline = Date.now() + this.timeoutMs;
    while (Atomics.load(control, GENERATION) === generation) {
      if (Date.now() > deadline)
        throw new Error(`Rank ${this.rank} timed out waiting for the other workers.`);
      Atomics.wait(control, GENERATION, generation, 1000);
    }
    this.throwIfAborted();
  }

  private throwIfAborted(): void {
    if (Atomics.load(this.control, ABORTED) !== 0)
      throw new Error('Another worker of this job failed.');
  }
}

/** Values exchanged per collective call when ranks share a probe; the runner sizes its buffers to it. */
export const GATHER_CHUNK = 1 << 20;

/**
 * Gathers row blocks computed by each rank into the full array on every rank: rank r holds
 * values for rows [starts[r], starts[r+1]) of `full` (zeros elsewhere), and the sum over ranks is
 * the concatenation. Runs in chunks of at most `capacity` values, the same sequence on every rank.
 */
export function gatherByRows(full: Float32Array, collective: Collective, capacity: number): void {
  if (collective.size === 1) return;
  for (let offset = 0; offset < full.length; offset += capacity) {
    const chunk = full.subarray(offset, Math.min(full.length, offset + capacity));
    collective.allReduceSum(chunk);
  }
}
