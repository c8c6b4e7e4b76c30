// The capability probe (DESIGN.md section 8): measures, on scratch keys under the folder's
// reserved prefix, which conditional headers and checksums a service honours, instead of
// assuming a header was honoured because it was sent. Each measurement stands alone: one
// that cannot be made yields 'unknown' with a note, and the others still run. Everything
// written is removed afterwards, every version and every delete marker.
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type ChecksumAlgorithm as SdkChecksumAlgorithm,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import {
  CHECKSUM_PREFERENCE,
  type ChecksumAlgorithm,
  type Honoured,
  type ServiceCapabilities,
} from '../../contract/capabilities.js';
import { reservedPrefix } from '../reserved-keys.js';
import { createDigest } from '../transfer/content-hash.js';
import { describeCapabilities } from './describe.js';
import {
  describeFailure,
  probeSender,
  recordingSender,
  removeProbeKeys,
  type Outcome,
  type ProbeSender,
  type WrittenVersion,
} from './probe-requests.js';
import { probeReplicationApi } from './replication-probe.js';

export interface ProbeOptions {
  client: S3Client;
  endpoint: string;
  bucket: string;
  /** The folder's key prefix ('' or ending in '/'). */
  prefix: string;
  /** Installation id: names the scratch keys, so two devices probing never collide. */
  device: string;
  region: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Round-trip a replication rule on a scratch bucket (default true). */
  replication?: boolean;
}

/** Never a real ETag: S3 ETags are MD5-based and this one is all zeros. */
const WRONG_ETAG = '"00000000000000000000000000000000"';

interface Ctx {
  s3: ProbeSender;
  bucket: string;
  root: string;
  /** Multipart uploads started, to abort whatever happens. */
  uploads: { key: string; uploadId: string }[];
  signal: AbortSignal | undefined;
  /** A detail for the log. */
  note(line: string): void;
  /** Why a finding is 'unknown': for the log and, as a sentence, for the user. */
  unmeasured(line: string): void;
}

function body(what: string): Buffer {
  return Buffer.from(`Replica Sync capability probe: ${what}\n`, 'utf8');
}

/** An unconditional PUT the measurement builds on; undefined (with a note) when it fails. */
async function putBase(
  c: Ctx,
  key: string,
  what: string,
): Promise<{ etag: string | undefined } | undefined> {
  const r = await c.s3.send(new PutObjectCommand({ Bucket: c.bucket, Key: key, Body: body(what) }));
  if (r.kind === 'ok') return { etag: r.out.ETag };
  c.unmeasured(`${what}: not measured, writing a scratch key failed (${describeFailure(r)}).`);
  return undefined;
}

/**
 * Refused with one of `wanted` statuses → 'yes'; written anyway → 'no'; refused otherwise →
 * 'no' too (a conflict could not be told from an error); no answer or no permission → 'unknown'.
 */
function enforced(c: Ctx, what: string, r: Outcome<unknown>, wanted: number[]): Honoured {
  if (r.kind === 'ok') return 'no';
  if (r.kind === 'refused' && wanted.includes(r.status)) return 'yes';
  if (r.kind === 'refused') {
    c.note(`${what}: refused with ${describeFailure(r)} instead of ${wanted.join('/')}.`);
    return 'no';
  }
  c.unmeasured(`${what}: could not be measured (${describeFailure(r)}).`);
  return 'unknown';
}

async function measureIfMatch(
  c: Ctx,
): Promise<Pick<ServiceCapabilities, 'ifMatchAccepted' | 'ifMatchEnforced'>> {
  const key = `${c.root}if-match`;
  const base = await putBase(c, key, 'If-Match');
  if (!base) return { ifMatchAccepted: 'unknown', ifMatchEnforced: 'unknown' };
  let ifMatchAccepted: Honoured = 'unknown';
  if (!base.etag) {
    c.unmeasured('If-Match: not measured, the service gave no ETag for a new object.');
  } else {
    const right = await c.s3.send(
      new PutObjectCommand({ Bucket: c.bucket, Key: key, Body: body('edit'), IfMatch: base.etag }),
    );
    if (right.kind === 'ok') ifMatchAccepted = 'yes';
    else if (right.kind === 'refused') {
      c.note(`If-Match: a write with the current ETag was refused (${describeFailure(right)}).`);
      ifMatchAccepted = 'no';
    } else
      c.unmeasured(
        `If-Match with the current ETag: could not be measured (${describeFailure(right)}).`,
      );
  }
  const wrong = await c.s3.send(
    new PutObjectCommand({ Bucket: c.bucket, Key: key, Body: body('stale'), IfMatch: WRONG_ETAG }),
  );
  return {
    ifMatchAccepted,
    ifMatchEnforced: enforced(c, 'If-Match with a wrong ETag', wrong, [412]),
  };
}

async function measureIfNoneMatch(c: Ctx): Promise<Honoured> {
  const key = `${c.root}if-none-match`;
  if (!(await putBase(c, key, 'If-None-Match'))) return 'unknown';
  const r = await c.s3.send(
    new PutObjectCommand({ Bucket: c.bucket, Key: key, Body: body('again'), IfNoneMatch: '*' }),
  );
  // 409 ConditionalRequestConflict is also a refusal of the write.
  return enforced(c, 'If-None-Match on an existing key', r, [412, 409]);
}

async function measureCompleteIfNoneMatch(c: Ctx): Promise<Honoured> {
  const key = `${c.root}complete`;
  if (!(await putBase(c, key, 'CompleteMultipartUpload If-None-Match'))) return 'unknown';
  const created = await c.s3.send(new CreateMultipartUploadCommand({ Bucket: c.bucket, Key: key }));
  if (created.kind !== 'ok' || !created.out.UploadId) {
    c.unmeasured(
      `CompleteMultipartUpload with If-None-Match: not measured, starting an upload failed (${
        created.kind === 'ok' ? 'no upload id' : describeFailure(created)
      }).`,
    );
    return 'unknown';
  }
  const uploadId = created.out.UploadId;
  c.uploads.push({ key, uploadId });
  // The only part may be small: the size minimum applies to all parts but the last.
  const part = await c.s3.send(
    new UploadPartCommand({
      Bucket: c.bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: 1,
      Body: body('part 1'),
    }),
  );
  if (part.kind !== 'ok' || !part.out.ETag) {
    c.unmeasured(
      `CompleteMultipartUpload with If-None-Match: not measured, uploading a part failed (${
        part.kind === 'ok' ? 'no ETag' : describeFailure(part)
      }).`,
    );
    return 'unknown';
  }
  const r = await c.s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: c.bucket,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.out.ETag }] },
      IfNoneMatch: '*',
    }),
  );
  return enforced(
    c,
    'CompleteMultipartUpload with If-None-Match on an existing key',
    r,
    [412, 409],
  );
}

async function measureDeleteIfMatch(c: Ctx): Promise<Honoured> {
  const key = `${c.root}delete`;
  if (!(await putBase(c, key, 'DeleteObject If-Match'))) return 'unknown';
  // Not refused: it wrote a delete marker, which the clean-up removes with the versions.
  const r = await c.s3.send(
    new DeleteObjectCommand({ Bucket: c.bucket, Key: key, IfMatch: WRONG_ETAG }),
  );
  return enforced(c, 'DeleteObject with a wrong If-Match', r, [412]);
}

const INPUT_FIELD: Record<ChecksumAlgorithm, keyof PutObjectCommandInput> = {
  CRC64NVME: 'ChecksumCRC64NVME',
  CRC32: 'ChecksumCRC32',
  CRC32C: 'ChecksumCRC32C',
  SHA1: 'ChecksumSHA1',
  SHA256: 'ChecksumSHA256',
};

/** The value S3 expects for `data`, and one of the same length with every byte flipped. */
async function checksumPair(alg: ChecksumAlgorithm | 'MD5', data: Buffer) {
  const d = createDigest(alg);
  d.update(data);
  const right = await d.digest();
  const wrong = Buffer.from(right.map((b) => b ^ 0xff));
  return { right: right.toString('base64'), wrong: wrong.toString('base64') };
}

/**
 * A differential measurement: the same PUT with the right value must be accepted (else the
 * service does not take the header at all: 'no'), and with a wrong value refused with a 400
 * ('yes') rather than stored ('no').
 */
async function measureDigest(
  c: Ctx,
  what: string,
  send: (value: string, data: Buffer) => Promise<Outcome<unknown>>,
  values: { right: string; wrong: string },
  data: Buffer,
): Promise<Honoured> {
  const right = await send(values.right, data);
  if (right.kind === 'refused') {
    c.note(`${what}: even the right value was refused (${describeFailure(right)}).`);
    return 'no';
  }
  if (right.kind === 'unknown') {
    c.unmeasured(`${what}: could not be measured (${describeFailure(right)}).`);
    return 'unknown';
  }
  const wrong = await send(values.wrong, data);
  if (wrong.kind === 'ok') return 'no';
  if (wrong.kind === 'refused' && wrong.status === 400) return 'yes';
  if (wrong.kind === 'refused') {
    c.note(`${what}: a wrong value was refused with ${describeFailure(wrong)}, not 400.`);
    return 'no';
  }
  c.unmeasured(`${what} with a wrong value: could not be measured (${describeFailure(wrong)}).`);
  return 'unknown';
}

async function measureChecksum(c: Ctx, alg: ChecksumAlgorithm): Promise<Honoured> {
  const key = `${c.root}checksum-${alg.toLowerCase()}`;
  const data = body(`checksum ${alg}`);
  const header = `x-amz-checksum-${alg.toLowerCase()}`;
  // A user-given x-amz-checksum-* makes the SDK send it as is and add none of its own.
  const send = (value: string, bytes: Buffer) =>
    c.s3.send(
      new PutObjectCommand({
        Bucket: c.bucket,
        Key: key,
        Body: bytes,
        ChecksumAlgorithm: alg as SdkChecksumAlgorithm,
        [INPUT_FIELD[alg]]: value,
      }),
      [header, 'x-amz-sdk-checksum-algorithm'],
    );
  return measureDigest(c, `Checksum ${alg}`, send, await checksumPair(alg, data), data);
}

async function measureContentMd5(c: Ctx): Promise<Honoured> {
  const key = `${c.root}content-md5`;
  const data = body('Content-MD5');
  const send = (value: string, bytes: Buffer) =>
    c.s3.send(new PutObjectCommand({ Bucket: c.bucket, Key: key, Body: bytes, ContentMD5: value }));
  return measureDigest(c, 'Content-MD5', send, await checksumPair('MD5', data), data);
}

/** Runs one measurement; an unexpected throw (not a stop) becomes `fallback` with a note. */
async function guarded<T>(c: Ctx, what: string, fallback: T, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (c.signal?.aborted) throw err;
    c.unmeasured(`${what}: could not be measured (${(err as Error).message}).`);
    return fallback;
  }
}

export async function probeCapabilities(o: ProbeOptions): Promise<ServiceCapabilities> {
  const log = o.log ?? (() => {});
  const notes: string[] = [];
  const root = `${reservedPrefix(o.prefix)}probe/${o.device}-${randomBytes(6).toString('hex')}/`;
  const written: WrittenVersion[] = [];
  const c: Ctx = {
    s3: recordingSender(probeSender(o.client, o.signal), written),
    bucket: o.bucket,
    root,
    uploads: [],
    signal: o.signal,
    note: (line) => log(`capability probe ${o.endpoint} ${o.bucket}: ${line}`),
    unmeasured: (line) => {
      notes.push(line);
      c.note(line);
    },
  };
  log(`capability probe ${o.endpoint} ${o.bucket}: scratch keys under ${root}`);
  const probedAt = Date.now();
  try {
    const ifMatch = await guarded(
      c,
      'If-Match',
      { ifMatchAccepted: 'unknown' as Honoured, ifMatchEnforced: 'unknown' as Honoured },
      () => measureIfMatch(c),
    );
    const unknown: Honoured = 'unknown';
    const ifNoneMatchEnforced = await guarded(c, 'If-None-Match', unknown, () =>
      measureIfNoneMatch(c),
    );
    const completeIfNoneMatchEnforced = await guarded(c, 'Complete If-None-Match', unknown, () =>
      measureCompleteIfNoneMatch(c),
    );
    const deleteIfMatchEnforced = await guarded(c, 'Delete If-Match', unknown, () =>
      measureDeleteIfMatch(c),
    );
    const checksums = {} as Record<ChecksumAlgorithm, Honoured>;
    for (const alg of CHECKSUM_PREFERENCE)
      checksums[alg] = await guarded(c, `Checksum ${alg}`, unknown, () => measureChecksum(c, alg));
    const contentMd5Enforced = await guarded(c, 'Content-MD5', unknown, () => measureContentMd5(c));
    const replicationApi: ServiceCapabilities['replicationApi'] =
      o.replication === false
        ? { state: 'not-probed', dropped: [], detail: 'not asked for' }
        : await probeReplicationApi({
            client: o.client,
            bucket: o.bucket,
            region: o.region,
            signal: o.signal,
            log,
          }).catch((err: unknown) => {
            if (o.signal?.aborted) throw err;
            return { state: 'not-probed', dropped: [], detail: (err as Error).message };
          });
    const measured: Omit<ServiceCapabilities, 'summary'> = {
      probedAt,
      endpoint: o.endpoint,
      bucket: o.bucket,
      ...ifMatch,
      ifNoneMatchEnforced,
      completeIfNoneMatchEnforced,
      deleteIfMatchEnforced,
      checksums,
      contentMd5Enforced,
      replicationApi,
    };
    return { ...measured, summary: [...describeCapabilities(measured), ...notes] };
  } finally {
    // Also after a stop: the scratch keys must not stay in the user's bucket.
    await removeProbeKeys(o.client, o.bucket, root, written, c.uploads, log);
  }
}
