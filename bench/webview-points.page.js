/* global window, document, performance, requestAnimationFrame, MessageChannel, MouseEvent */
/* global location, URLSearchParams */
/*
 * Runs inside the benchmark page of bench/webview-points.ts, before the webview bundle. It
 * replaces the VS Code webview API with a stub of acquireVsCodeApi, whose saved state comes from
 * the page URL's `state` parameter, and provides the frame timers as window.benchPage.
 *
 * Frame times come from requestAnimationFrame: the interval between the timestamps of two
 * consecutive frames, and the main-thread work of one frame, measured from its
 * requestAnimationFrame callback to a task queued from that callback. Such a task runs after the
 * frame's rendering steps (style, layout, ResizeObserver callbacks, paint), so the work includes
 * the chart redraws that the interaction triggers.
 */
(() => {
  const posted = [];
  const initial = new URLSearchParams(location.search).get('state');
  let state = initial ? JSON.parse(initial) : undefined;
  window.acquireVsCodeApi = () => ({
    postMessage: (message) => posted.push(message),
    getState: () => state,
    setState: (next) => {
      state = next;
    },
  });

  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

  /** Resolves with the time at which the task queued now starts. */
  const nextTask = () =>
    new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now());
      channel.port2.postMessage(0);
    });

  /**
   * Runs `step(i)` at the start of `count` consecutive frames. Returns each frame's interval to
   * the previous frame and its main-thread work, in milliseconds.
   */
  async function runFrames(count, step) {
    const intervals = [];
    const work = [];
    let previous = await frame();
    for (let i = 0; i < count; i++) {
      await new Promise((resolve) => {
        requestAnimationFrame((timestamp) => {
          const start = performance.now();
          step(i);
          void nextTask().then((end) => {
            work.push(end - start);
            intervals.push(timestamp - previous);
            previous = timestamp;
            resolve();
          });
        });
      });
    }
    return { intervals, work };
  }

  /** Dispatches a mouse event at (x, y) relative to the element `over`. */
  function mouse(target, over, type, x, y, extra = {}) {
    const box = over.getBoundingClientRect();
    target.dispatchEvent(
      new MouseEvent(type, {
        bubbles: true,
        cancelable: true,
        clientX: box.left + x,
        clientY: box.top + y,
        button: 0,
        buttons: type === 'mouseup' ? 0 : 1,
        // uPlot ignores a move without movement while a button is down.
        movementX: type === 'mousemove' ? 1 : 0,
        ...extra,
      }),
    );
  }

  /** Returns the value at frame `i` of a triangle wave from `low` to `high`, `step` per frame. */
  function triangle(i, low, high, step) {
    const span = high - low;
    const offset = (i * step) % (2 * span);
    return low + (offset <= span ? offset : 2 * span - offset);
  }

  window.benchPage = {
    posted,
    get state() {
      return state;
    },

    /** Stores host messages in the page, so that their transfer from Node is not timed. */
    stage(messages) {
      window.benchMessages = messages;
    },

    /**
     * Posts the staged messages as the host would and times: the message handlers (the view
     * draws synchronously when its tab is visible), and the first frame after them.
     */
    async firstDraw() {
      const messages = window.benchMessages;
      const last = messages[messages.length - 1];
      const start = performance.now();
      const handled = new Promise((resolve) => {
        // Added after the bundle's own listener, so it runs after the view handled the message.
        const listener = (event) => {
          if (event.data?.type !== last.type) return;
          window.removeEventListener('message', listener);
          resolve(performance.now());
        };
        window.addEventListener('message', listener);
      });
      for (const message of messages) window.postMessage(message, '*');
      const handledAt = await handled;
      await frame();
      const frameAt = await nextTask();
      return { handlersMs: handledAt - start, firstFrameMs: frameAt - start };
    },

    /** Counts the canvas pixels that differ from the top-left pixel, which is background. */
    drawnPixels(selector) {
      const canvas = document.querySelector(selector);
      if (!canvas || canvas.width === 0) return 0;
      const context = canvas.getContext('2d');
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) count++;
      }
      return count;
    },

    /**
     * Resizes the report (its root element's width) every frame, as dragging a sash does. The
     * widths stay below 720 px, the largest 2-D plot, so that every frame redraws the plot.
     */
    resize(count) {
      const root = document.getElementById('app');
      return runFrames(count, (i) => {
        root.style.width = `${triangle(i, 360, 700, 12)}px`;
      }).finally(() => {
        root.style.width = '';
      });
    },

    /**
     * Checks, untimed, that the events of hover() and zoom() reach uPlot: a pointer move shifts
     * its cursor line, and a drag redraws the chart zoomed in. Returns what failed, or ''.
     */
    async checkChartEvents() {
      const over = document.querySelector('.view.gradients .u-over');
      const canvas = document.querySelector('.view.gradients canvas');
      const cursor = document.querySelector('.view.gradients .u-cursor-x');
      const box = over.getBoundingClientRect();
      const y = box.height / 2;
      const pixels = () =>
        canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      mouse(over, over, 'mousemove', box.width * 0.3, y);
      const before = cursor.style.transform;
      mouse(over, over, 'mousemove', box.width * 0.6, y);
      if (cursor.style.transform === before) return 'a pointer move did not move the cursor line';
      await frame();
      const unzoomed = pixels();
      mouse(over, over, 'mousedown', box.width * 0.2, y);
      mouse(over, over, 'mousemove', box.width * 0.7, y);
      mouse(document, over, 'mouseup', box.width * 0.7, y);
      await frame();
      const zoomed = pixels();
      mouse(over, over, 'dblclick', box.width * 0.5, y, { buttons: 0, detail: 2 });
      await frame();
      return unzoomed.every((value, i) => value === zoomed[i])
        ? 'a drag did not zoom the chart'
        : '';
    },

    /** Moves the pointer across the first uPlot chart, one position per frame. */
    hover(count) {
      const over = document.querySelector('.view.gradients .u-over');
      const box = over.getBoundingClientRect();
      return runFrames(count, (i) =>
        mouse(over, over, 'mousemove', triangle(i, 1, box.width - 1, 9), box.height / 2),
      );
    },

    /**
     * Drag-zooms the first uPlot chart: press, six moves, release (uPlot zooms to the
     * selection), then a double click (uPlot zooms out again), one event per frame.
     */
    zoom(repeats) {
      const over = document.querySelector('.view.gradients .u-over');
      const box = over.getBoundingClientRect();
      const y = box.height / 2;
      const left = box.width * 0.2;
      const steps = 9;
      return runFrames(repeats * steps, (i) => {
        const phase = i % steps;
        const x = left + (phase * box.width * 0.5) / 6;
        if (phase === 0) mouse(over, over, 'mousedown', left, y);
        else if (phase <= 6) mouse(over, over, 'mousemove', x, y);
        else if (phase === 7) mouse(document, over, 'mouseup', x, y);
        else mouse(over, over, 'dblclick', x, y, { buttons: 0, detail: 2 });
      });
    },
  };
})();
