/** Reason a file could not be read: callers and tests switch on `code`, users read `message`. */
export type CheckpointErrorCode =
  | 'not-found'
  | 'not-a-checkpoint'
  | 'truncated'
  | 'corrupt'
  | 'unsafe'
  | 'too-large'
  | 'unsupported'
  | 'ambiguous'
  | 'architecture-needed';

/**
 * The one error type that every reader of user files throws. Its message names the file or value
 * and gives the next step. Any other error escaping a reader is a bug.
 */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';

  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(file === undefined ? message : `${file}: ${message}`);
  }
}

/** Size limits applied before allocating; every reader takes them from here. */
export interface ReadLimits {
  /** Largest file read into memory, in bytes. */
  maxFileBytes: number;
  /** Largest total of tensor bytes that a file may declare. */
  maxTensorBytes: number;
  /** Largest uncompressed size of one zip entry, in bytes. */
  maxEntryBytes: number;
  /** Largest ratio of uncompressed to compressed size for a zip entry. */
  maxCompressionRatio: number;
  /** Largest number of entries in a zip archive. */
  maxEntries: number;
}

export const DEFAULT_LIMITS: ReadLimits = {
  maxFileBytes: 2 * 1024 ** 3,
  maxTensorBytes: 2 * 1024 ** 3,
  maxEntryBytes: 2 * 1024 ** 3,
  maxCompressionRatio: 200,
  maxEntries: 100_000,
};
