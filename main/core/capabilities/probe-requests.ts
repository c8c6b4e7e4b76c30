// The requests of the capability probe: sent with exactly the headers the probe chose (the
// SDK's own checksum is stripped, so each request tests one thing), with every failure
// sorted into "the service refused it" versus "we could not tell" (network, permission,
// server trouble), and the clean-up that removes every version the probe wrote.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  type S3Client,
  type S3ClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-s3';
import type { BuildMiddleware, Command } from '@smithy/types';

/** How a request ended, in the terms the probe measures with. */
export type Outcome<T> =
  | { kind: 'ok'; out: T }
  /** The service answered and refused: a 4xx (except auth) or 501. */
  | { kind: 'refused'; status: number; code: string; message: string }
  /** Nothing was learned: no answer, no permission, or the service had trouble. */
  | { kind: 'unknown'; status: number | undefined; code: string; message: string };

type Failure = Exclude<Outcome<never>, { kind: 'ok' }>;

interface ErrorLike {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Sorts an SDK or network error. Permission and 5xx (but 501) teach nothing about a header. */
export function sortError(err: unknown): Failure {
  const e = (err ?? {}) as ErrorLike;
  const status = e.$metadata?.httpStatusCode;
  const code = String(e.Code ?? e.name ?? e.code ?? 'Error');
  const message = String(e.message ?? err);
  if (status === undefined || status === 401 || status === 403 || code === 'AccessDenied')
    return { kind: 'unknown', status, code, message };
  if ((status >= 400 && status < 500) || status === 501)
    return { kind: 'refused', status, code, message };
  return { kind: 'unknown', status, code, message };
}

/** "412 PreconditionFailed" or "no answer: ECONNREFUSED" for notes and logs. */
export function describeFailure(f: { status: number | undefined; code: string }): string {
  return f.status === undefined ? `no answer (${f.code})` : `${f.status} ${f.code}`;
}

/** A command of the S3 client, input I and output O. */
export type S3Command<I extends ServiceInputTypes, O extends ServiceOutputTypes> = Command<
  ServiceInputTypes,
  I,
  ServiceOutputTypes,
  O,
  S3ClientResolvedConfig
>;

const SDK_CHECKSUM_HEADER = /^x-amz-(checksum-|sdk-checksum-algorithm$)/i;

/**
 * After the SDK's flexible-checksum step (build step, normal priority), removes every
 * checksum header the probe did not ask for: with default settings the SDK adds a CRC32 of
 * its own, which would make a "wrong checksum" request carry two checksums.
 */
export function keepOnlyChecksumHeaders<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
  command: S3Command<I, O>,
  allowed: readonly string[],
): void {
  const keep = new Set(allowed.map((h) => h.toLowerCase()));
  const mw: BuildMiddleware<I, O> = (next) => async (args) => {
    const req = args.request as { headers?: Record<string, string> };
    if (req.headers) {
      for (const name of Object.keys(req.headers)) {
        if (SDK_CHECKSUM_HEADER.test(name) && !keep.has(name.toLowerCase()))
          delete req.headers[name];
      }
    }
    return next(args);
  };
  command.middlewareStack.add(mw, { step: 'build', priority: 'low' });
}

export interface ProbeSender {
  /** Sends with only the checksum headers in `allowedChecksumHeaders`; never throws an S3 error. */
  send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    command: S3Command<I, O>,
    allowedChecksumHeaders?: readonly string[],
  ): Promise<Outcome<O>>;
}

export function probeSender(client: S3Client, signal: AbortSignal | undefined): ProbeSender {
  return {
    async send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
      command: S3Command<I, O>,
      allowed: readonly string[] = [],
    ): Promise<Outcome<O>> {
      signal?.throwIfAborted();
      keepOnlyChecksumHeaders(command, allowed);
      try {
        const out = await client.send(command, { abortSignal: signal });
        return { kind: 'ok', out };
      } catch (err) {
        // A stop asked for by the caller is not a measurement.
        if (signal?.aborted) throw signal.reason;
        return sortError(err);
      }
    },
  };
}

/** A version the probe wrote (an object version or a delete marker). */
export interface WrittenVersion {
  key: string;
  versionId: string;
}

/**
 * Wraps a sender to note the version id of every write it makes, so the clean-up can
 * delete them even where listing fails (moto 5 refuses the signature of a `Prefix`
 * containing '/' in ListObjectVersions).
 */
export function recordingSender(inner: ProbeSender, written: WrittenVersion[]): ProbeSender {
  return {
    async send(command, allowed) {
      const r = await inner.send(command, allowed);
      const input = command.input as { Key?: unknown; VersionId?: unknown };
      const versionId = r.kind === 'ok' ? (r.out as { VersionId?: unknown }).VersionId : undefined;
      if (typeof versionId === 'string' && typeof input.Key === 'string' && !input.VersionId)
        written.push({ key: input.Key, versionId });
      return r;
    },
  };
}

/**
 * Deletes every version and delete marker the probe wrote, by version id (so nothing stays
 * behind as history): first those it noted, then whatever a listing under `root` still
 * shows; aborts every multipart upload there. Returns what it could not remove.
 */
export async function removeProbeKeys(
  client: S3Client,
  bucket: string,
  root: string,
  written: readonly WrittenVersion[],
  uploads: { key: string; uploadId: string }[],
  log: (line: string) => void,
): Promise<string[]> {
  const problems: string[] = [];
  const sender = probeSender(client, undefined);
  for (const u of uploads) {
    const r = await sender.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.key, UploadId: u.uploadId }),
    );
    // 404 NoSuchUpload: it was completed or already aborted.
    if (r.kind !== 'ok' && r.status !== 404)
      problems.push(`abort upload of ${u.key}: ${describeFailure(r)}`);
  }
  for (const v of written) {
    const r = await sender.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: v.key, VersionId: v.versionId }),
    );
    if (r.kind !== 'ok' && r.status !== 404)
      problems.push(`delete ${v.key} version ${v.versionId}: ${describeFailure(r)}`);
  }
  const listed = await sweepVersions(sender, bucket, root, problems);
  // Active-active services (RGW multisite) may sync a just-deleted version back from the
  // other endpoint: sweep again a few times in the background until two sweeps find nothing.
  if (listed !== undefined) void resweep(sender, bucket, root, log);
  const open = await sender.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: root }));
  if (open.kind === 'ok') {
    for (const u of open.out.Uploads ?? []) {
      if (!u.Key || !u.UploadId) continue;
      const r = await sender.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }),
      );
      if (r.kind !== 'ok') problems.push(`abort upload of ${u.Key}: ${describeFailure(r)}`);
    }
  } else {
    problems.push(`list uploads under ${root}: ${describeFailure(open)}`);
  }
  for (const p of problems) log(`capability probe clean-up: ${p}`);
  return problems;
}

/** Deletes every version and marker under `root`; how many, or undefined when it cannot list. */
async function sweepVersions(
  sender: ProbeSender,
  bucket: string,
  root: string,
  problems: string[],
): Promise<number | undefined> {
  let deleted = 0;
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (let page = 0; page < 100; page++) {
    const listed = await sender.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: root,
        KeyMarker: keyMarker,
        VersionIdMarker: versionMarker,
      }),
    );
    if (listed.kind !== 'ok') {
      problems.push(`list versions under ${root}: ${describeFailure(listed)}`);
      return undefined;
    }
    const all = [...(listed.out.Versions ?? []), ...(listed.out.DeleteMarkers ?? [])];
    for (const v of all) {
      if (!v.Key) continue;
      const del = await sender.send(
        new DeleteObjectCommand({ Bucket: bucket, Key: v.Key, VersionId: v.VersionId }),
      );
      if (del.kind !== 'ok')
        problems.push(`delete ${v.Key} version ${v.VersionId ?? 'null'}: ${describeFailure(del)}`);
      else deleted++;
    }
    if (!listed.out.IsTruncated) break;
    keyMarker = listed.out.NextKeyMarker;
    versionMarker = listed.out.NextVersionIdMarker;
  }
  return deleted;
}

async function resweep(
  sender: ProbeSender,
  bucket: string,
  root: string,
  log: (line: string) => void,
): Promise<void> {
  let quiet = 0;
  for (let i = 0; i < 8 && quiet < 2; i++) {
    await sleep(1500, undefined, { ref: false });
    const problems: string[] = [];
    const n = await sweepVersions(sender, bucket, root, problems).catch(() => undefined);
    if (n === undefined) return;
    if (n > 0) log(`capability probe clean-up: ${n} version(s) came back under ${root}; removed`);
    quiet = n === 0 ? quiet + 1 : 0;
  }
}
