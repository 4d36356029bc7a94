import { randomBytes } from 'node:crypto';

/** A nonce for the webview's Content-Security-Policy: 128 random bits from the OS. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

export function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export interface WebviewPage {
  /** The webview's `cspSource`, which covers resources loaded with asWebviewUri. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris: string[];
  title: string;
  /** Initial state, written to data-* attributes of the root element and read by the script. */
  data: Record<string, string>;
}

/**
 * Builds the page of a webview. The policy allows scripts only with the nonce, styles and images
 * only from the extension's folders (plus data: URLs for canvas exports), and nothing else.
 * `style-src` also allows the nonce, because the web components add their styles at run time.
 */
export function renderWebviewHtml(page: WebviewPage): string {
  const csp = [
    "default-src 'none'",
    `img-src ${page.cspSource} data:`,
    `style-src ${page.cspSource} 'nonce-${page.nonce}'`,
    `font-src ${page.cspSource}`,
    `script-src 'nonce-${page.nonce}'`,
  ].join('; ');
  const data = Object.entries(page.data)
    .map(([key, value]) => ` data-${key}="${escapeAttribute(value)}"`)
    .join('');
  const styles = page.styleUris
    .map((uri) => `<link rel="stylesheet" nonce="${page.nonce}" href="${escapeAttribute(uri)}">`)
    .join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <meta property="csp-nonce" nonce="${page.nonce}">
    ${styles}
    <title>${escapeAttribute(page.title)}</title>
  </head>
  <body>
    <main id="app"${data}></main>
    <script nonce="${page.nonce}" src="${escapeAttribute(page.scriptUri)}"></script>
  </body>
</html>`;
}
