/*
 * Checks for the messages of webview.ts. Each check returns undefined for a well-formed message
 * and otherwise a reason, which the receiver logs before dropping the message.
 */
import type { ReportView, WebviewAction } from './webview';

export const REPORT_VIEWS: readonly ReportView[] = [
  'findings',
  'gradients',
  'modes',
  'training',
  'lipschitz',
  'checkpoints',
  'points',
];

export const WEBVIEW_ACTIONS: readonly WebviewAction[] = [
  'probe',
  'compare',
  'exportReport',
  'cancelJob',
  'reopenWithDefault',
  'openRunFolder',
];

const JOB_STATUSES = ['running', 'completed', 'cancelled', 'failed'];
const POINT_ROLES = ['real', 'generated', 'interpolates', 'offManifold', 'uniform', 'modes'];
const SEVERITIES = ['error', 'warning', 'info'];

type Problem = string | undefined;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isString = (value: unknown): value is string => typeof value === 'string';
const isNonEmptyString = (value: unknown): value is string => isString(value) && value.length > 0;
const isCount = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= 0;

function isNumericArray(value: unknown): value is ArrayLike<number> {
  if (value instanceof Float32Array || value instanceof Float64Array) return true;
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}

/** Returns the first problem found by the checks, in order. */
function first(...problems: (() => Problem)[]): Problem {
  for (const check of problems) {
    const problem = check();
    if (problem) return problem;
  }
  return undefined;
}

function checkBounds(value: unknown): Problem {
  if (!isObject(value)) return 'bounds missing';
  for (const key of ['xMin', 'xMax', 'yMin', 'yMax']) {
    if (!Number.isFinite(value[key])) return `bounds.${key} is not a finite number`;
  }
  if ((value.xMax as number) <= (value.xMin as number)) return 'bounds.xMax is not above xMin';
  if ((value.yMax as number) <= (value.yMin as number)) return 'bounds.yMax is not above yMin';
  return undefined;
}

function checkSameLength(where: string, arrays: Record<string, unknown>, keys: string[]): Problem {
  let length: number | undefined;
  for (const key of keys) {
    const array = arrays[key];
    if (!isNumericArray(array)) return `${where}.${key} is not an array of numbers`;
    if (length !== undefined && array.length !== length) {
      return `${where}.${key} has ${array.length} values, expected ${length}`;
    }
    length = array.length;
  }
  return undefined;
}

function checkHeatmap(value: unknown): Problem {
  if (value === undefined) return undefined;
  if (!isObject(value) || !isCount(value.width) || !isCount(value.height)) {
    return 'heatmap without an integer width and height';
  }
  if (!isNumericArray(value.values)) return 'heatmap.values is not an array of numbers';
  const expected = value.width * value.height;
  if (value.values.length !== expected) {
    return `heatmap.values has ${value.values.length} values, expected width × height = ${expected}`;
  }
  return undefined;
}

/** Checks one 2-D plot of a `points` message. */
export function checkPointPlot(value: unknown): Problem {
  if (!isObject(value)) return 'plot is not an object';
  if (!isNonEmptyString(value.id) || !isString(value.title)) return 'plot without an id and title';
  if (!Array.isArray(value.series)) return `plot '${value.id}' without a series array`;
  const series = value.series as unknown[];
  return first(
    () => checkBounds(value.bounds),
    () => checkHeatmap(value.heatmap),
    () =>
      value.arrows === undefined
        ? undefined
        : isObject(value.arrows)
          ? checkSameLength('arrows', value.arrows, ['x', 'y', 'dx', 'dy'])
          : 'arrows is not an object',
    ...series.map((item, index) => () => {
      if (!isObject(item)) return `series ${index} is not an object`;
      if (!POINT_ROLES.includes(item.role as string))
        return `series ${index} has unknown role '${String(item.role)}'`;
      if (!isString(item.label)) return `series ${index} without a label`;
      return checkSameLength(`series ${index}`, item, ['x', 'y']);
    }),
  );
}

function checkFindings(value: unknown): Problem {
  if (!Array.isArray(value)) return 'findings is not an array';
  for (const [index, finding] of value.entries()) {
    if (!isObject(finding)) return `finding ${index} is not an object`;
    if (!isString(finding.id) || !isString(finding.message) || !isString(finding.fix)) {
      return `finding ${index} without an id, message and fix`;
    }
    if (!SEVERITIES.includes(finding.severity as string)) {
      return `finding '${finding.id}' has unknown severity '${String(finding.severity)}'`;
    }
    if (!isObject(finding.evidence)) return `finding '${finding.id}' without evidence`;
  }
  return undefined;
}

/** Checks the parts of a report that the view reads without further checks. */
export function checkReport(value: unknown): Problem {
  if (!isObject(value)) return 'report is not an object';
  if (typeof value.schemaVersion !== 'number') return 'report without a schemaVersion';
  if (!isObject(value.probeSets)) return 'report without probeSets';
  if (!isObject(value.wasserstein)) return 'report without a wasserstein section';
  if (!Array.isArray(value.findings)) return 'report without a findings array';
  const findingsProblem = checkFindings(value.findings);
  if (findingsProblem) return findingsProblem;
  for (const [name, set] of Object.entries(value.probeSets)) {
    if (!isObject(set) || !isObject(set.gradNorm) || !isObject(set.histogram)) {
      return `probe set '${name}' without gradNorm and histogram`;
    }
    const histogram = set.histogram;
    if (!isNumericArray(histogram.edges) || !isNumericArray(histogram.counts)) {
      return `probe set '${name}' has a histogram without numeric edges and counts`;
    }
    if (histogram.edges.length !== histogram.counts.length + 1) {
      return `probe set '${name}' has ${histogram.edges.length} histogram edges for ${histogram.counts.length} counts`;
    }
  }
  return undefined;
}

function checkProgressEvents(value: unknown): Problem {
  if (!Array.isArray(value)) return 'events is not an array';
  for (const [index, event] of value.entries()) {
    if (!isObject(event) || !Number.isFinite(event.iteration) || !isObject(event.gradNorm)) {
      return `progress event ${index} without an iteration and gradNorm`;
    }
  }
  return undefined;
}

function checkSeries(value: unknown): Problem {
  if (!Array.isArray(value)) return 'checkpoints is not an array';
  for (const [index, point] of value.entries()) {
    if (!isObject(point) || !isString(point.label) || typeof point.wasserstein !== 'number') {
      return `checkpoint ${index} without a label and wasserstein estimate`;
    }
  }
  return undefined;
}

function checkSummary(value: unknown): Problem {
  if (!isObject(value)) return 'summary is not an object';
  if (!isString(value.file) || !isString(value.format) || !isString(value.description)) {
    return 'summary without a file, format and description';
  }
  if (!Array.isArray(value.layers) || !isObject(value.metadata))
    return 'summary without layers and metadata';
  return undefined;
}

/** Checks a message that the host sent to a webview. */
export function checkHostToWebview(value: unknown): Problem {
  if (!isObject(value) || !isString(value.type)) return 'not an object with a string type';
  switch (value.type) {
    case 'report':
      if (!isNonEmptyString(value.reportId) || !isString(value.file) || !isString(value.title)) {
        return 'report without a reportId, file and title';
      }
      if (!isObject(value.lipschitz) || typeof value.lipschitz.gradientLower !== 'number') {
        return 'report without Lipschitz bounds';
      }
      if (isObject(value.report) && 'points' in value.report) {
        return 'report carries its 2-D points, which belong in a points message';
      }
      return checkReport(value.report);
    case 'points':
      if (!isNonEmptyString(value.reportId) || !Array.isArray(value.plots))
        return 'points without a reportId and plots';
      return first(...(value.plots as unknown[]).map((plot) => () => checkPointPlot(plot)));
    case 'series':
      if (!isNonEmptyString(value.reportId)) return 'series without a reportId';
      return first(
        () => checkSeries(value.checkpoints),
        () => checkFindings(value.findings),
      );
    case 'run':
      if (!isNonEmptyString(value.runId) || !isString(value.title) || !isCount(value.iterations)) {
        return 'run without a runId, title and iteration count';
      }
      if (!JOB_STATUSES.includes(value.status as string))
        return `run has unknown status '${String(value.status)}'`;
      return checkProgressEvents(value.history);
    case 'progress':
      if (!isNonEmptyString(value.runId)) return 'progress without a runId';
      return checkProgressEvents(value.events);
    case 'runStatus':
      if (!isNonEmptyString(value.runId)) return 'runStatus without a runId';
      return JOB_STATUSES.includes(value.status as string)
        ? undefined
        : `unknown status '${String(value.status)}'`;
    case 'showView':
      return REPORT_VIEWS.includes(value.view as ReportView)
        ? undefined
        : `unknown view '${String(value.view)}'`;
    case 'exportImage':
      return isCount(value.requestId) ? undefined : 'exportImage without a requestId';
    case 'checkpoint':
      return isString(value.file) ? checkSummary(value.summary) : 'checkpoint without a file';
    case 'checkpointError':
      return isString(value.file) && isString(value.message) && typeof value.canReopen === 'boolean'
        ? undefined
        : 'checkpointError without a file, message and canReopen';
    default:
      return `unknown message type '${value.type}'`;
  }
}

/** Checks a message that a webview sent to the host. */
export function checkWebviewToHost(value: unknown): Problem {
  if (!isObject(value) || !isString(value.type)) return 'not an object with a string type';
  switch (value.type) {
    case 'ready':
      return undefined;
    case 'action':
      if (!WEBVIEW_ACTIONS.includes(value.action as WebviewAction))
        return `unknown action '${String(value.action)}'`;
      return isString(value.subject) ? undefined : 'action without a subject';
    case 'image':
      if (!isCount(value.requestId)) return 'image without a requestId';
      return isString(value.dataUrl) && value.dataUrl.startsWith('data:image/png;base64,')
        ? undefined
        : 'image without a PNG data URL';
    case 'imageFailed':
      return isCount(value.requestId) && isString(value.message)
        ? undefined
        : 'imageFailed without a requestId and message';
    case 'viewChanged':
      return REPORT_VIEWS.includes(value.view as ReportView)
        ? undefined
        : `unknown view '${String(value.view)}'`;
    case 'error':
      return isString(value.message) ? undefined : 'error without a message';
    default:
      return `unknown message type '${value.type}'`;
  }
}
