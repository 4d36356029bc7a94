import type { ProgressEvent } from '../core/train/progress';

/** A one-line progress bar on a terminal; a line every 10 % when stderr is not a terminal. */
export class ProgressPrinter {
  private lastDecile = -1;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(event: ProgressEvent): void {
    const fraction = event.iteration / event.iterations;
    const text = `${event.iteration}/${event.iterations} W ${event.wasserstein.toFixed(3)} GP ${event.penalty.toExponential(1)} ‖∇D(x̂)‖ ${event.gradNorm.median.toFixed(3)} ${event.msPerIteration.toFixed(0)} ms/it${event.modesCaptured !== undefined ? ` modes ${event.modesCaptured}` : ''}`;
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round(fraction * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
      this.drawn = true;
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${text}\n`);
    }
  }

  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
