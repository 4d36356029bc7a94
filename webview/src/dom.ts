/** Small DOM helpers; text always goes through textContent, never innerHTML. */

type Attributes = Record<string, string | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes?: Attributes,
  ...children: (Node | string | undefined)[]
): HTMLElementTagNameMap[K];
export function el(
  tag: string,
  attributes?: Attributes,
  ...children: (Node | string | undefined)[]
): HTMLElement;
export function el(
  tag: string,
  attributes: Attributes = {},
  ...children: (Node | string | undefined)[]
): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === undefined) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/** Formats a number with 3 significant digits, or in exponent form outside 1e-3..1e5. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined) return '–';
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e5) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}

export function formatPercent(fraction: number): string {
  return `${formatNumber(fraction * 100)} %`;
}

/** Builds a two-column table of label and value rows. */
export function keyValueTable(rows: [string, string][]): HTMLTableElement {
  return el(
    'table',
    { class: 'kv' },
    el(
      'tbody',
      {},
      ...rows.map(([key, value]) =>
        el('tr', {}, el('th', { scope: 'row' }, key), el('td', {}, value)),
      ),
    ),
  );
}

/** Returns the children without the undefined ones, for replaceChildren. */
export function present(...children: (Node | string | undefined)[]): (Node | string)[] {
  return children.filter((child): child is Node | string => child !== undefined);
}
