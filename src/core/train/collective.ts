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
  /**
   * Copies rank r's slice [ranges[r][0], ranges[r][1]) of `values` into `values` on every other
   * rank. Every rank must call it in step, with the same length and ranges.
   */
  allGather(values: Float32Array, ranges: readonly (readonly [number, number])[]): void;
}

export const SINGLE_PROCESS: Collective = {
  rank: 0,
  size: 1,
  allReduceSum: () => undefined,
  allGather: () => undefined,
};

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

  allGather(values: Float32Array, ranges: readonly (readonly [number, number])[]): void {
    if (ranges.length !== this.size) {
      throw new Error(
        `allGather expected one range per rank (${this.size}), got ${ranges.length}. Pass shardRanges(total, size).`,
      );
    }
    // The copy runs in chunks of the slot capacity. Each rank writes its part of a chunk into its
    // own slot, then reads the other ranks' parts from theirs.
    const capacity = this.buffers.capacity;
    for (let offset = 0; offset < values.length; offset += capacity) {
      const end = Math.min(values.length, offset + capacity);
      const part = (r: number): [number, number] => [
        Math.max(offset, ranges[r][0]),
        Math.min(end, ranges[r][1]),
      ];
      const [ownStart, ownEnd] = part(this.rank);
      if (ownEnd > ownStart) {
        this.slots[this.rank].set(values.subarray(ownStart, ownEnd), ownStart - offset);
      }
      this.barrier();
      for (let r = 0; r < this.size; r++) {
        const [start, stop] = part(r);
        if (r !== this.rank && stop > start) {
          values.set(this.slots[r].subarray(start - offset, stop - offset), start);
        }
      }
      this.barrier();
    }
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
