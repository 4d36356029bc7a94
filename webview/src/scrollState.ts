/*
 * Keeps the report view's vertical scroll offset in its saved state. The page is destroyed when
 * its tab is hidden and when the window reloads, and the new page is empty until the host sends
 * the report again, so the offset is applied once the page is tall enough for it.
 */

/** Maximum time from a scroll to the saving of its offset, in milliseconds. */
export const SCROLL_SAVE_INTERVAL_MS = 200;

/** Events that show the user moving the page, after which a pending restore is dropped. */
const USER_EVENTS = ['wheel', 'keydown', 'pointerdown', 'touchstart'] as const;

export class ScrollState {
  /** The saved offset that waits for the page to be tall enough, in CSS pixels. */
  private pending: number | undefined;
  private saveTimer: number | undefined;
  private readonly resizeObserver = new ResizeObserver(() => this.restore());

  /**
   * Starts restoring `saved`, and saving later scrolls with `save`. A burst of scroll events is
   * saved once, SCROLL_SAVE_INTERVAL_MS after its first event, so at most once per interval.
   */
  constructor(
    saved: number | undefined,
    private readonly save: (scrollY: number) => void,
  ) {
    if (saved !== undefined && Number.isFinite(saved) && saved > 0) this.pending = saved;
    window.addEventListener('scroll', () => this.onScroll(), { passive: true });
    for (const type of USER_EVENTS) {
      window.addEventListener(type, () => this.stopRestoring(), { capture: true, passive: true });
    }
    // Scrolls within the interval before the page goes are saved too, where the page still gets
    // the event (a hidden webview's page can be removed without it).
    window.addEventListener('pagehide', () => this.flush());
    if (this.pending !== undefined) {
      this.resizeObserver.observe(document.body);
      this.restore();
    }
  }

  /** Scrolls to the pending offset once the page can show it; call after content changes. */
  restore(): void {
    if (this.pending === undefined) return;
    const root = document.scrollingElement ?? document.documentElement;
    const maxScroll = root.scrollHeight - window.innerHeight;
    if (maxScroll < this.pending) return;
    window.scrollTo({ top: this.pending, behavior: 'instant' });
    this.stopRestoring();
  }

  private stopRestoring(): void {
    if (this.pending === undefined) return;
    this.pending = undefined;
    this.resizeObserver.disconnect();
  }

  private onScroll(): void {
    // While restoring, scroll events come from the page growing or from restore() itself, and
    // saving them would replace the offset that waits.
    if (this.pending !== undefined) return;
    this.saveTimer ??= window.setTimeout(() => this.flush(), SCROLL_SAVE_INTERVAL_MS);
  }

  private flush(): void {
    if (this.saveTimer === undefined) return;
    window.clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.save(Math.round(window.scrollY));
  }
}
