import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

function temporaryName(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/**
 * Writes a file by writing a temporary sibling, flushing it, and renaming it over the target.
 * On failure it removes the temporary file and throws an error that names the target, with the
 * system error's `code` kept.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const temporary = temporaryName(target);
  let handle;
  try {
    handle = await fs.open(temporary, 'w');
  } catch (error) {
    throw writeError(target, error as NodeJS.ErrnoException);
  }
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw writeError(target, error as NodeJS.ErrnoException);
  }
}

/** Describes a failed write of `target` in one line with the next step. */
function writeError(target: string, error: NodeJS.ErrnoException): Error {
  const folder = path.dirname(target);
  const reasons: Record<string, string> = {
    ENOENT: `the folder '${folder}' does not exist; create it first`,
    ENOTDIR: `a parent of '${folder}' is a file, not a folder; choose another path`,
    EISDIR: 'it is a folder; give a file name',
    EACCES: `permission denied in '${folder}'; choose a writable folder`,
    EPERM: `permission denied in '${folder}'; choose a writable folder`,
    EROFS: `'${folder}' is on a read-only file system; choose a writable folder`,
    ENOSPC: 'the disk is full; free some space and try again',
  };
  const reason = (error.code !== undefined ? reasons[error.code] : undefined) ?? error.message;
  return Object.assign(new Error(`Cannot write ${target}: ${reason}.`, { cause: error }), {
    code: error.code,
  });
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
