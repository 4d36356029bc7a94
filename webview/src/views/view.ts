/** One tab of the report view. */
export interface View {
  readonly element: HTMLElement;
  /** Called when the tab becomes visible and after its data changed while visible. */
  render(): void;
  /** Charts of the view, top to bottom, for the PNG export. */
  canvases(): HTMLCanvasElement[];
}

/**
 * Base for views with charts: charts are built only while the tab is visible (uPlot needs a
 * width), and rebuilt when data or theme change.
 */
export abstract class ChartView implements View {
  readonly element: HTMLElement;
  private visible = false;
  private stale = true;

  constructor(className: string) {
    this.element = document.createElement('section');
    this.element.className = `view ${className}`;
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible && this.stale) this.render();
  }

  /** Marks the content out of date; it is rebuilt now if visible, else when next shown. */
  invalidate(): void {
    this.stale = true;
    if (this.visible) this.render();
  }

  render(): void {
    this.stale = false;
    this.build();
  }

  abstract canvases(): HTMLCanvasElement[];

  protected abstract build(): void;
}
