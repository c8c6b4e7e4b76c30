// What a failure means for a folder (DESIGN.md section 7), and when to try again. Transient
// failures (5xx, SlowDown, timeouts, refused connections, a region down) are retried with
// backoff until they succeed; a file's own problem waits on that file; only what stops the
// whole folder (credentials, the bucket gone or moved, the disk full, the folder missing)
// puts the folder in error, and the folder is tried again with the same backoff.
import { FileReadError } from '../transfer/upload-common.js';
import { S3OperationError } from '../transfer/s3-errors.js';

export type FailureKind = 'cancelled' | 'transient' | 'file' | 'folder';

// S3 codes no single file causes: the folder cannot work until they are fixed.
export const FOLDER_CODES: ReadonlySet<string> = new Set([
  'NoSuchBucket',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidToken',
  'CredentialsProviderError',
  'TokenProviderError',
  'RequestTimeTooSkewed',
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
  'InvalidBucketName',
  'AccessDenied',
  'AllAccessDisabled',
]);

// Local codes that stop every write into the folder.
export const FOLDER_LOCAL_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);

export function failureKind(err: unknown): FailureKind {
  if (err instanceof S3OperationError) {
    if (err.kind === 'cancelled') return 'cancelled';
    if (err.kind === 'transient' || err.kind === 'conditional-conflict') return 'transient';
    return FOLDER_CODES.has(err.code) ? 'folder' : 'file';
  }
  if (err instanceof FileReadError) return 'file';
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && FOLDER_LOCAL_CODES.has(code)) return 'folder';
  // Unknown: nothing says the folder is stuck; try again later.
  return 'transient';
}

export interface Backoff {
  /** First wait. */
  baseMs: number;
  /** Longest wait. */
  maxMs: number;
}

/**
 * The wait before attempt `attempt + 1` after `attempt` failures (1, 2, …): base doubling up
 * to max, with "equal jitter" (half fixed, half random) so many files failing together do
 * not all come back at the same instant.
 */
export function backoffMs(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(b.maxMs, b.baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Failure counts by key (a path, or the folder), for the backoff. */
export class Attempts {
  private readonly counts = new Map<string, number>();

  /** Counts one more failure of `key` and returns the wait before the next try. */
  fail(key: string, b: Backoff): number {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return backoffMs(n, b);
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  reset(key: string): void {
    this.counts.delete(key);
  }

  clear(): void {
    this.counts.clear();
  }
}

/** Failure counts and the timers of the tries to come, for one folder. */
export class Retries {
  private readonly attempts = new Attempts();
  private readonly scheduled = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private disposed = false;

  constructor(private readonly backoff: () => Backoff) {}

  /** Counts a failure of `key` (a path, or a step) and returns the wait before its next try. */
  failed(key: string): number {
    return this.attempts.fail(key, this.backoff());
  }

  /** `key` worked: its next failure waits the shortest time again. */
  succeeded(key: string): void {
    this.attempts.reset(key);
  }

  /** Counts a failure of `what` and runs `fn` after its backoff, unless a run is already due. */
  later(what: string, fn: () => unknown): void {
    if (this.scheduled.has(what) || this.disposed) return;
    this.scheduled.add(what);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.scheduled.delete(what);
      fn();
    }, this.failed(what));
    t.unref();
    this.timers.add(t);
  }

  /** Forgets every failure (the user asked to try again now). */
  reset(): void {
    this.attempts.clear();
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
