import type { CheckpointSummary, HostToWebview } from '../../src/protocol/webview';
import { post } from './api';
import { el, formatNumber, keyValueTable, present } from './dom';

const MAX_LAYER_ROWS = 2000;

/** The checkpoint editor's page: what the file is, its layers and metadata, and a Probe button. */
export class CheckpointApp {
  constructor(
    private readonly root: HTMLElement,
    private readonly file: string,
  ) {
    root.replaceChildren(el('p', { class: 'empty' }, `Inspecting ${file}…`));
  }

  handle(message: HostToWebview): void {
    if (message.type === 'checkpoint' && message.file === this.file)
      this.showSummary(message.summary);
    if (message.type === 'checkpointError' && message.file === this.file)
      this.showError(message.message, message.canReopen);
  }

  private showSummary(summary: CheckpointSummary): void {
    const probe = el('vscode-button', { disabled: !summary.probeable }, 'Probe…');
    probe.addEventListener('click', () =>
      post({ type: 'action', action: 'probe', subject: this.file }),
    );
    const rows: [string, string][] = [
      ['File', summary.file],
      ['Size', `${formatNumber(summary.sizeBytes / 1024 / 1024)} MB (${summary.sizeBytes} bytes)`],
      ['Format', summary.format],
    ];
    if (summary.architecture) rows.push(['Architecture', summary.architecture]);
    if (summary.parameterCount !== undefined)
      rows.push(['Parameters', summary.parameterCount.toLocaleString('en-US')]);
    const metadata = Object.entries(summary.metadata);
    const layers = summary.layers.slice(0, MAX_LAYER_ROWS);
    this.root.replaceChildren(
      ...present(
        el(
          'header',
          { class: 'report-header' },
          el('h1', {}, summary.file.split(/[\\/]/).pop() ?? summary.file),
          el('p', { class: 'facts' }, summary.description),
          el('div', { class: 'actions' }, probe),
        ),
        keyValueTable(rows),
        el('h2', {}, `Layers (${summary.layers.length})`),
        layers.length > 0
          ? this.layerTable(layers)
          : el('p', { class: 'empty' }, 'The file lists no layers.'),
        summary.layers.length > layers.length
          ? el(
              'p',
              { class: 'note' },
              `Showing the first ${layers.length} of ${summary.layers.length} layers.`,
            )
          : undefined,
        el('h2', {}, 'Metadata'),
        metadata.length > 0 ? keyValueTable(metadata) : el('p', { class: 'empty' }, 'No metadata.'),
      ),
    );
  }

  private layerTable(layers: CheckpointSummary['layers']): HTMLTableElement {
    const headers = [
      'tensor',
      'op',
      'shape',
      'parameters',
      'mean',
      'std',
      'min',
      'max',
      'non-finite',
      'σ_max',
    ];
    return el(
      'table',
      { class: 'grid' },
      el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
      el(
        'tbody',
        {},
        ...layers.map((layer) =>
          el(
            'tr',
            { class: layer.nonFinite ? 'bad' : undefined },
            el('td', {}, el('code', {}, layer.name)),
            el('td', {}, layer.op ?? ''),
            el('td', {}, layer.shape),
            ...[
              layer.parameters,
              layer.mean,
              layer.std,
              layer.min,
              layer.max,
              layer.nonFinite,
              layer.spectralNorm,
            ].map((v) => el('td', { class: 'number' }, formatNumber(v))),
          ),
        ),
      ),
    );
  }

  private showError(message: string, canReopen: boolean): void {
    const reopen = el('vscode-button', { secondary: true }, 'Reopen with the Default Editor');
    reopen.addEventListener('click', () =>
      post({ type: 'action', action: 'reopenWithDefault', subject: this.file }),
    );
    this.root.replaceChildren(
      ...present(
        el(
          'header',
          { class: 'report-header' },
          el('h1', {}, this.file.split(/[\\/]/).pop() ?? this.file),
        ),
        el('p', { class: 'error-message', role: 'alert' }, message),
        canReopen ? reopen : undefined,
      ),
    );
  }
}
