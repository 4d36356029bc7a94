/**
 * The k smallest (squared distance, index) pairs seen so far, kept sorted ascending. An insertion
 * costs O(k), but once the buffer is full most candidates fail the one comparison against
 * `worst()`: a scan over N candidates in random order inserts only about k·ln(N/k) of them.
 * NaN candidates are never kept.
 */
export class TopK {
  readonly distances: Float64Array;
  readonly indices: Int32Array;
  private size = 0;

  constructor(readonly k: number) {
    this.distances = new Float64Array(k).fill(Infinity);
    this.indices = new Int32Array(k).fill(-1);
  }

  get count(): number {
    return this.size;
  }

  /** Returns the largest kept value, or Infinity while fewer than k values are kept. */
  worst(): number {
    return this.size < this.k ? Infinity : this.distances[this.k - 1];
  }

  /** Inserts a candidate; a tie with the worst kept value keeps the earlier one. */
  push(distance: number, index: number): void {
    if (this.k === 0 || !(distance < this.worst())) return;
    let i = Math.min(this.size, this.k - 1);
    while (i > 0 && this.distances[i - 1] > distance) {
      this.distances[i] = this.distances[i - 1];
      this.indices[i] = this.indices[i - 1];
      i--;
    }
    this.distances[i] = distance;
    this.indices[i] = index;
    if (this.size < this.k) this.size++;
  }

  clear(): void {
    this.size = 0;
    this.distances.fill(Infinity);
    this.indices.fill(-1);
  }
}
