/** The logging interface shared by the CLI (stderr), the worker (messages) and the extension. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Writes one line per message to stderr, with the level as a prefix. */
export function createStderrLogger(options: { verbose?: boolean } = {}): Logger {
  const write = (level: string, message: string) => process.stderr.write(`[${level}] ${message}\n`);
  return {
    debug: (message) => {
      if (options.verbose) write('debug', message);
    },
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message, error) =>
      write('error', error === undefined ? message : `${message}: ${describeError(error)}`),
  };
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Collects messages in memory; tests read them back. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, error?: unknown) =>
    lines.push(`${level}: ${message}${error === undefined ? '' : `: ${describeError(error)}`}`);
  return {
    lines,
    debug: push('debug'),
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
  };
}
