import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

function temporaryName(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/** Writes a file by writing a temporary sibling, flushing it, and renaming it over the target. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const temporary = temporaryName(target);
  const handle = await fs.open(temporary, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Creates a directory atomically: `fill` writes into a temporary sibling, which is then renamed
 * to `target`. A crash leaves either no directory or a complete one (plus a stray temporary).
 */
export async function writeDirectoryAtomic(
  target: string,
  fill: (dir: string) => Promise<void>,
): Promise<void> {
  const temporary = temporaryName(target);
  await fs.mkdir(temporary, { recursive: true });
  try {
    await fill(temporary);
    await fs.rm(target, { recursive: true, force: true });
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { recursive: true, force: true });
    throw error;
  }
}
