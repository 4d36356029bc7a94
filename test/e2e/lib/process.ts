import { spawn, type SpawnOptions } from 'node:child_process';

export interface CommandResult {
  code: number;
  output: string;
}

/**
 * Runs a command to completion and collects its stdout and stderr. It rejects when the command
 * exits non-zero, with the command line and the last lines of its output in the message.
 */
export async function runCommand(
  command: string,
  args: string[],
  options: SpawnOptions & { echo?: boolean; allowFailure?: boolean } = {},
): Promise<CommandResult> {
  const { echo = false, allowFailure = false, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  const collect = (data: Buffer) => {
    const text = data.toString();
    chunks.push(text);
    if (echo) process.stdout.write(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)));
  });
  const output = chunks.join('');
  if (code !== 0 && !allowFailure) {
    const tail = output.split('\n').slice(-40).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited with code ${code}:\n${tail}`);
  }
  return { code, output };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `probe` until it returns a value other than undefined or false, and returns that value.
 * It rejects with `description` in the message when `timeoutMs` passes first.
 */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${reason}`);
    }
    await sleep(intervalMs);
  }
}
