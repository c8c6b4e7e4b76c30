// A byte of an upload flipped in flight must be caught on every server, by whatever that
// server allows: the service's own check where the probe proved one (local regions: the
// CRC64NVME the app sends; Ceph RGW 16: Content-MD5), else the app's check of what was stored
// (moto: the ETag is not the MD5 of the bytes sent, the damaged version is deleted). A proxy
// (s3-proxy.ts) flips one bit of the payload of the first PutObject / UploadPart. Over http
// the SDK signs no payload (x-amz-content-sha256 is UNSIGNED-PAYLOAD or
// STREAMING-UNSIGNED-PAYLOAD-TRAILER), so SigV4 never catches it. The raw uploads use the
// engine's own client for the server's account (S3ClientFactory) and the probe's strategy.
// Whatever the outcome of the damaged attempt, no version may hold other bytes than the
// file, and the retry (raw uploadFile) or the engine's own retry ends with the file stored
// and synced.
import { GetObjectCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { S3ClientFactory } from '../../main/core/accounts/s3-client-factory.js';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { probeCapabilities } from '../../main/core/capabilities/probe.js';
import { strategyFor } from '../../main/core/sync/folder-capabilities.js';
import type { WriteStrategy } from '../../main/core/transfer/upload-common.js';
import { uploadFile, type UploadResult } from '../../main/core/transfer/uploader.js';
import { flipPayloadByte, type ProxiedRequest, type S3Op } from '../helpers/s3-proxy.js';
import { ScenarioWorld } from '../helpers/scenario.js';
import {
  BACKENDS,
  EXPECTED,
  startBackend,
  type BackendName,
  type ScenarioBackend,
} from '../helpers/scenario-backends.js';
import { randomContent, sha256 } from '../helpers/scenario-language.js';

const MiB = 1024 * 1024;
const DEVICE = 'device-integrity-0001';
const SIZES = { single: 64 * 1024, multipart: 12 * MiB } as const;
type Shape = keyof typeof SIZES;
const OP: Record<Shape, S3Op> = { single: 'PutObject', multipart: 'UploadPart' };

/** Who catches a flipped byte with this strategy, in words for the test name. */
function catcher(s: WriteStrategy): string {
  switch (s.integrity) {
    case 'crc64nvme':
      return 'the service: it verifies the x-amz-checksum-crc64nvme sent (400)';
    case 'content-md5':
      return 'the service: it verifies Content-MD5 (400 BadDigest)';
    case 'self':
      return 'the app: the stored ETag is not the MD5 sent, the damaged version is deleted (CorruptUploadError)';
  }
}

interface Ctx {
  b: ScenarioBackend;
  root: string;
  bucket: string;
  strategy: WriteStrategy;
}

/** Flips a bit in the first `op` request on `key`; returns what it saw. */
function flipFirst(
  b: ScenarioBackend,
  op: S3Op,
  key: string,
): { status: () => number | undefined; headers: () => Record<string, unknown> } {
  let flipped: ProxiedRequest | undefined;
  b.proxy.setOptions({
    rewriteBody: (r) => {
      if (flipped || r.op !== op || r.key !== key) return undefined;
      flipped = r;
      return (body) => flipPayloadByte(r.headers, body);
    },
  });
  return { status: () => flipped?.status, headers: () => flipped?.headers ?? {} };
}

async function assertNoOtherBytes(
  client: S3Client,
  bucket: string,
  key: string,
  want: Buffer,
): Promise<number> {
  const listed = await client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  const versions = (listed.Versions ?? []).filter((v) => v.Key === key);
  for (const v of versions) {
    const out = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: v.VersionId }),
    );
    const bytes = Buffer.from(await out.Body!.transformToByteArray());
    assert.equal(
      sha256(bytes),
      sha256(want),
      `version ${v.VersionId ?? '?'} of ${key} holds other bytes than the file`,
    );
  }
  return versions.length;
}

/** The damaged attempt's outcome must be a refusal by the service or the app's own catch. */
function assertCaught(
  s: WriteStrategy,
  outcome: UploadResult | Error,
  status: number | undefined,
): void {
  const shown =
    outcome instanceof Error ? `${outcome.name}: ${outcome.message}` : JSON.stringify(outcome);
  if (s.integrity === 'self') {
    assert.ok(
      status !== undefined && status < 300,
      `the service took the damaged body (${status})`,
    );
    assert.ok(outcome instanceof Error && outcome.name === 'CorruptUploadError', shown);
  } else {
    assert.equal(status, 400, `the service should refuse the damaged body: ${shown}`);
    // A BadDigest is reported as changed-during-upload (re-read and sent again).
    const refused =
      (!(outcome instanceof Error) && outcome.kind === 'changed-during-upload') ||
      (outcome instanceof Error && /BadDigest|InvalidDigest|Checksum/i.test(outcome.message));
    assert.ok(refused, shown);
  }
}

async function rawUpload(
  c: Ctx,
  client: S3Client,
  shape: Shape,
  strategy: WriteStrategy,
  opts: { noSdkChecksum?: boolean } = {},
): Promise<void> {
  const key = `raw-${shape}-${strategy.integrity}`;
  const file = path.join(c.root, key);
  const bytes = randomContent(SIZES[shape], key);
  fs.writeFileSync(file, bytes);
  const req = {
    client,
    bucket: c.bucket,
    key,
    filePath: file,
    device: DEVICE,
    bases: [],
    condition: { kind: 'new' as const },
    strategy,
    multipartThreshold: 5 * MiB,
    minPartSize: 5 * MiB,
  };
  const flip = flipFirst(c.b, OP[shape], key);
  let outcome: UploadResult | Error;
  try {
    outcome = await uploadFile(req);
  } catch (err) {
    outcome = err as Error;
  } finally {
    c.b.proxy.setOptions({});
  }
  // SigV4 signs no payload over http: the signature cannot be what catches the damage.
  assert.match(String(flip.headers()['x-amz-content-sha256']), /UNSIGNED-PAYLOAD/);
  if (opts.noSdkChecksum)
    assert.deepEqual(
      Object.keys(flip.headers()).filter((h) => /^x-amz-(checksum-|trailer)|^content-md5$/.test(h)),
      [],
      'the damaged request carried a checksum the service could verify',
    );
  assertCaught(strategy, outcome, flip.status());
  assert.equal(await assertNoOtherBytes(c.b.client, c.bucket, key, bytes), 0, 'a version is left');
  const again = await uploadFile(req);
  assert.equal(again.kind, 'uploaded', JSON.stringify(again));
  assert.equal(await assertNoOtherBytes(c.b.client, c.bucket, key, bytes), 1);
}

function suite(name: BackendName): void {
  const expected = EXPECTED[name];
  let ctx: Ctx | undefined;
  let client: S3Client | undefined;
  let factory: S3ClientFactory | undefined;
  const c = (): Ctx => {
    if (!ctx) throw new Error(`${name} did not start`);
    return ctx;
  };
  describe(name, () => {
    before(async () => {
      const t0 = Date.now();
      const b = await startBackend(name);
      const root = fs.mkdtempSync(path.join(os.tmpdir(), `rs-integrity-${name}-`));
      ctx = { b, root, bucket: await b.versionedBucket('int'), strategy: expected };
      // The engine's own client for the backend's account (its checksum settings included).
      const secrets = new MemorySecretStore();
      factory = new S3ClientFactory({ secrets });
      client = factory.clientFor(await b.account(secrets), b.region);
      const caps = await probeCapabilities({
        client,
        endpoint: b.endpoint,
        bucket: ctx.bucket,
        prefix: '',
        device: DEVICE,
        region: b.region,
        log: () => undefined,
      });
      ctx.strategy = strategyFor(caps);
      console.log(`# ${name} started and probed in ${Date.now() - t0} ms`);
    });
    after(async () => {
      factory?.dispose();
      await ctx?.b.stop();
      if (ctx) fs.rmSync(ctx.root, { recursive: true, force: true });
    });

    test(`the probe gives ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(c().strategy, expected);
    });

    for (const shape of ['single', 'multipart'] as const)
      test(`uploadFile, ${shape}: a flipped byte is caught by ${catcher(expected)}, then a clean retry`, () =>
        rawUpload(c(), client!, shape, c().strategy));

    if (name === 'local')
      for (const shape of ['single', 'multipart'] as const)
        test(`uploadFile, ${shape}, strategy 'self' and no SDK checksum (UNSIGNED-PAYLOAD): only the app's ETag check catches it`, async () => {
          const bare = new S3Client({
            endpoint: c().b.proxy.regions[0]?.endpoint,
            region: c().b.region,
            forcePathStyle: true,
            credentials: c().b.credentials,
            requestChecksumCalculation: 'WHEN_REQUIRED',
          });
          try {
            await rawUpload(
              c(),
              bare,
              shape,
              { conditional: false, integrity: 'self' },
              { noSdkChecksum: true },
            );
          } finally {
            bare.destroy();
          }
        });

    for (const shape of ['single', 'multipart'] as const)
      test(`the engine, ${shape}: the damaged upload is caught (${expected.integrity}) and sent again; the file ends synced`, async () => {
        const world = new ScenarioWorld({ backend: c().b, root: c().root }, `engine-${shape}`);
        const key = `engine-${shape}.bin`;
        const bytes = randomContent(SIZES[shape], key);
        try {
          await world.setup();
          const flip = flipFirst(c().b, OP[shape], key);
          fs.writeFileSync(world.abs(key), bytes);
          await world.sync();
          c().b.proxy.setOptions({});
          assert.ok(flip.status() !== undefined, `no ${OP[shape]} of ${key} was damaged`);
          await world.sync();
          const row = world.row(key);
          assert.equal(row?.state, 'synced', `${JSON.stringify(row)}\n${world.log.join('\n')}`);
          assert.equal(row?.sha256, sha256(bytes));
          assert.equal(await assertNoOtherBytes(c().b.client, world.bucket, key, bytes), 1);
        } finally {
          c().b.proxy.setOptions({});
          await world.dispose();
        }
      });
  });
}

for (const name of BACKENDS) suite(name);
