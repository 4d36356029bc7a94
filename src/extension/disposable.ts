/** Anything that holds a resource: vscode.Disposable and our own classes share this shape. */
export interface DisposableLike {
  dispose(): unknown;
}

/**
 * Base class for everything in the extension that owns resources. Owned resources are disposed
 * in reverse order of registration; errors are collected so that one failing resource does not
 * leak the rest, and rethrown together.
 */
export class Disposable implements DisposableLike {
  private readonly owned: DisposableLike[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Takes ownership of a resource; one registered after dispose() is disposed at once. */
  protected register<T extends DisposableLike>(resource: T): T {
    if (this.disposed) {
      resource.dispose();
    } else {
      this.owned.push(resource);
    }
    return resource;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.owned.splice(0).reverse());
  }
}

/** Disposes every resource, then throws one error naming all that failed. */
export function disposeAll(resources: Iterable<DisposableLike>): void {
  const errors: unknown[] = [];
  for (const resource of resources) {
    try {
      resource.dispose();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1)
    throw new AggregateError(errors, `${errors.length} resources failed to dispose.`);
}

/** Wraps a callback as a resource. */
export function toDisposable(callback: () => void): DisposableLike {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      callback();
    },
  };
}
