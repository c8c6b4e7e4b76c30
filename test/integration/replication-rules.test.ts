// The replication modules against the local regions over real HTTP: rules created, edited,
// disabled, re-prioritised and deleted and read back; one-way to several destinations where
// prefix and tag filters decide what replicates (objects reach REPLICA); the two-way wizard
// from unversioned buckets, and its rollback; existing objects listed as unreplicated, then
// replicated in place.
import {
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReplicationRuleModel, TagPair } from '../../main/contract/replication.js';
import { ContractError } from '../../main/contract/errors.js';
import { checkRules, gatherCheckInput } from '../../main/core/replication/checks.js';
import {
  BATCH_REPLICATION_NOTE,
  listUnreplicated,
  replicateInPlace,
} from '../../main/core/replication/existing.js';
import { LOCAL_ROLE_ARN } from '../../main/core/replication/iam.js';
import {
  bucketLocator,
  deleteBucketReplication,
  listBucketsWithRegions,
  newRule,
  readBucketReplication,
  removeRule,
  setRuleEnabled,
  setRulePriority,
  upsertRule,
  writeBucketReplication,
} from '../../main/core/replication/rules.js';
import { simulate } from '../../main/core/replication/simulator.js';
import {
  createTwoWay,
  previewTwoWay,
  twoWayRuleId,
  type TwoWayInput,
} from '../../main/core/replication/two-way.js';
import {
  createBucket,
  readBytes,
  readText,
  s3Error,
  startTestRegions,
  waitFor,
  type TestRegions,
  type VersioningSetting,
} from '../helpers/regions.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const AP = 'ap-southeast-2';
let t: TestRegions;

before(async () => {
  t = await startTestRegions({ regions: [US, EU, AP] });
});
after(async () => {
  await t.stop();
});

const client = (region: string): S3Client => t.client(region);
const bucket = (region: string, versioning: VersioningSetting = 'Enabled'): Promise<string> =>
  createBucket(t, region, { versioning, prefix: 'rep' });

async function read(region: string, b: string) {
  return readBucketReplication(
    client(region),
    { accountId: 'local', bucket: b, region },
    bucketLocator(client(region)),
  );
}

async function put(
  region: string,
  b: string,
  key: string,
  body: string,
  extra: { Tagging?: string; Metadata?: Record<string, string>; ContentType?: string } = {},
): Promise<string> {
  const out = await client(region).send(
    new PutObjectCommand({ Bucket: b, Key: key, Body: body, ...extra }),
  );
  return out.VersionId as string;
}

async function replicationStatus(region: string, b: string, key: string, versionId?: string) {
  const h = await client(region).send(
    new HeadObjectCommand({ Bucket: b, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
  );
  return h.ReplicationStatus;
}

async function waitReplica(region: string, b: string, key: string, versionId?: string) {
  await waitFor(
    async () => (await replicationStatus(region, b, key, versionId)) === 'REPLICA',
    8000,
    `REPLICA of ${key} in ${b}`,
  );
}

async function missing(region: string, b: string, key: string): Promise<boolean> {
  return (
    (await s3Error(client(region).send(new HeadObjectCommand({ Bucket: b, Key: key })))).status ===
    404
  );
}

test('listBucketsWithRegions names every bucket with its region', async () => {
  const us = await bucket(US, 'none');
  const eu = await bucket(EU, 'none');
  const ap = await bucket(AP, 'none');
  const listed = await listBucketsWithRegions(client(EU));
  for (const [name, region] of [
    [us, US],
    [eu, EU],
    [ap, AP],
  ] as const) {
    assert.deepEqual(
      listed.find((b) => b.bucket === name),
      { bucket: name, region, location: region },
    );
  }
});

test('rules are created, edited (every field), disabled, re-prioritised and deleted, and read back', async () => {
  const src = await bucket(US);
  const dst = await bucket(EU);
  const dst2 = await bucket(AP);

  assert.deepEqual(await read(US, src), {
    accountId: 'local',
    bucket: src,
    region: US,
    location: US,
    versioning: 'Enabled',
    role: null,
    rules: [],
    replicating: null,
  });

  let rules: ReplicationRuleModel[] = [newRule({ bucket: dst, region: EU }, { id: 'all' })];
  await writeBucketReplication(client(US), src, rules, LOCAL_ROLE_ARN);
  let back = await read(US, src);
  assert.equal(back.role, LOCAL_ROLE_ARN);
  assert.deepEqual(back.rules, rules);

  // Edit: every field at once, plus a second rule into another region.
  const everything: ReplicationRuleModel = {
    id: 'all',
    priority: 4,
    enabled: true,
    filter: {
      prefix: 'docs/',
      tags: [
        { key: 'team', value: 'blue' },
        { key: 'tier', value: 'gold' },
      ],
    },
    destination: {
      bucket: dst,
      region: EU,
      account: '123456789012',
      storageClass: 'STANDARD_IA',
      ownerOverride: true,
    },
    rtc: true,
    metrics: true,
    deleteMarkerReplication: false,
    replicaModifications: true,
  };
  rules = upsertRule(rules, everything);
  rules = upsertRule(
    rules,
    newRule(
      { bucket: dst2, region: AP },
      {
        id: 'to-ap',
        priority: 4,
        filter: { prefix: 'x/', tags: [] },
        deleteMarkerReplication: true,
      },
    ),
  );
  const input = await gatherCheckInput(client, {
    source: { bucket: src, region: US },
    rules,
    local: true,
  });
  assert.deepEqual(
    checkRules(input).filter((c) => c.level === 'error'),
    [],
    'a valid configuration has no errors',
  );
  await writeBucketReplication(client(US), src, rules, LOCAL_ROLE_ARN);
  back = await read(US, src);
  assert.deepEqual(back.rules, rules);

  // Disable, re-prioritise, read back.
  rules = setRuleEnabled(rules, 'to-ap', false);
  rules = setRulePriority(rules, 'all', 9);
  await writeBucketReplication(client(US), src, rules, LOCAL_ROLE_ARN);
  back = await read(US, src);
  assert.deepEqual(
    back.rules.map((r) => [r.id, r.enabled, r.priority]),
    [
      ['all', true, 9],
      ['to-ap', false, 4],
    ],
  );
  assert.deepEqual(back.rules, rules);

  // Delete one rule, then the last one (no rules: the configuration is deleted).
  rules = removeRule(rules, 'to-ap');
  await writeBucketReplication(client(US), src, rules, LOCAL_ROLE_ARN);
  assert.deepEqual(
    (await read(US, src)).rules.map((r) => r.id),
    ['all'],
  );
  await writeBucketReplication(client(US), src, [], LOCAL_ROLE_ARN);
  assert.deepEqual((await read(US, src)).rules, []);
  assert.equal((await read(US, src)).role, null);
  // Deleting a configuration that is not there is fine too.
  await deleteBucketReplication(client(US), src);
});

test('checks against real buckets: unversioned and missing destinations are caught before S3 refuses', async () => {
  const src = await bucket(US);
  const unversioned = await bucket(EU, 'none');
  const rules = [
    newRule({ bucket: unversioned }, { id: 'to-unversioned' }),
    newRule({ bucket: 'rep-does-not-exist-anywhere' }, { id: 'to-nowhere' }),
  ];
  const checks = checkRules(
    await gatherCheckInput(client, { source: { bucket: src, region: US }, rules, local: true }),
  );
  assert.equal(checks.length, 2, JSON.stringify(checks));
  assert.match(
    checks[0]?.message ?? '',
    new RegExp(`Versioning is off on destination bucket '${unversioned}' \\(eu-west-1\\)`),
  );
  assert.deepEqual(checks[0]?.fix, { kind: 'enable-versioning', bucket: unversioned, region: EU });
  assert.match(
    checks[1]?.message ?? '',
    /'rep-does-not-exist-anywhere' of rule 'to-nowhere' does not exist/,
  );
  // S3 (here: the local regions) refuses the same configuration.
  const refused = await s3Error(
    writeBucketReplication(client(US), src, rules.slice(0, 1), LOCAL_ROLE_ARN),
  );
  assert.match(refused.message, /versioning/i);
  const unversionedSrc = await bucket(US, 'none');
  const srcChecks = checkRules(
    await gatherCheckInput(client, {
      source: { bucket: unversionedSrc, region: US },
      rules: [newRule({ bucket: src })],
      local: true,
    }),
  );
  assert.deepEqual(srcChecks[0]?.fix, {
    kind: 'enable-versioning',
    bucket: unversionedSrc,
    region: US,
  });
});

test('one way into three destinations (other region, third region, same region): prefix and tag filters decide, as the simulator says', async () => {
  const src = await bucket(US);
  const eu = await bucket(EU);
  const ap = await bucket(AP);
  const same = await bucket(US);
  const rules: ReplicationRuleModel[] = [
    newRule(
      { bucket: eu, region: EU },
      { id: 'docs-to-eu', filter: { prefix: 'docs/', tags: [] }, deleteMarkerReplication: true },
    ),
    newRule(
      { bucket: ap, region: AP },
      { id: 'kept-to-ap', filter: { prefix: '', tags: [{ key: 'keep', value: 'yes' }] } },
    ),
    {
      ...newRule({ bucket: same, region: US }, { id: 'all-to-same', priority: 1 }),
      destination: {
        bucket: same,
        region: US,
        account: null,
        storageClass: 'STANDARD_IA',
        ownerOverride: false,
      },
    },
  ];
  await writeBucketReplication(client(US), src, rules, LOCAL_ROLE_ARN);

  const objects: { key: string; tags: TagPair[] }[] = [
    { key: 'docs/a.txt', tags: [] },
    { key: 'pics/b.jpg', tags: [{ key: 'keep', value: 'yes' }] },
    { key: 'pics/c.jpg', tags: [{ key: 'keep', value: 'no' }] },
    { key: 'docs/d.txt', tags: [{ key: 'keep', value: 'yes' }] },
  ];
  const where = { [eu]: EU, [ap]: AP, [same]: US } as Record<string, string>;
  for (const o of objects) {
    const tagging = o.tags.map((x) => `${x.key}=${x.value}`).join('&');
    const versionId = await put(
      US,
      src,
      o.key,
      `body of ${o.key}`,
      tagging ? { Tagging: tagging } : {},
    );
    await waitFor(
      async () => (await replicationStatus(US, src, o.key, versionId)) === 'COMPLETED',
      8000,
      `COMPLETED ${o.key}`,
    );
    const expected = simulate(rules, o.key, o.tags).matches;
    for (const d of [eu, ap, same]) {
      const region = where[d] as string;
      const match = expected.find((m) => m.bucket === d);
      if (match) {
        await waitReplica(region, d, o.key, versionId);
        assert.equal(await readText(client(region), d, o.key), `body of ${o.key}`);
        const head = await client(region).send(new HeadObjectCommand({ Bucket: d, Key: o.key }));
        assert.equal(head.StorageClass ?? 'STANDARD', match.storageClass, `${o.key} in ${d}`);
      } else {
        assert.ok(await missing(region, d, o.key), `${o.key} must not reach ${d}`);
      }
    }
  }
  assert.deepEqual(
    simulate(rules, 'docs/a.txt')
      .matches.map((m) => m.bucket)
      .sort(),
    [eu, same].sort(),
  );

  // The delete follows where the simulator says deletes follow (docs-to-eu), not elsewhere.
  const sim = simulate(rules, 'docs/a.txt');
  assert.deepEqual(
    sim.matches.map((m) => [m.bucket, m.deletesFollow]).sort(),
    [
      [eu, true],
      [same, false],
    ].sort(),
  );
  await client(US).send(new DeleteObjectCommand({ Bucket: src, Key: 'docs/a.txt' }));
  await waitFor(() => missing(EU, eu, 'docs/a.txt'), 8000, 'delete marker in the EU copy');
  await sleep(300);
  assert.equal(await readText(client(US), same, 'docs/a.txt'), 'body of docs/a.txt');
});

test('disabling a rule stops replication; a higher priority changes the storage class', async () => {
  const src = await bucket(US);
  const dst = await bucket(EU);
  let rules: ReplicationRuleModel[] = [
    newRule({ bucket: dst, region: EU }, { id: 'low', priority: 1 }),
    {
      ...newRule({ bucket: dst, region: EU }, { id: 'high', priority: 2 }),
      destination: {
        bucket: dst,
        region: EU,
        account: null,
        storageClass: 'GLACIER_IR',
        ownerOverride: false,
      },
    },
  ];
  await writeBucketReplication(client(US), src, rules, LOCAL_ROLE_ARN);
  const v1 = await put(US, src, 'k1', 'one');
  await waitReplica(EU, dst, 'k1', v1);
  assert.equal(
    (await client(EU).send(new HeadObjectCommand({ Bucket: dst, Key: 'k1' }))).StorageClass,
    'GLACIER_IR',
  );
  rules = setRulePriority(rules, 'low', 3);
  await writeBucketReplication(client(US), src, rules, LOCAL_ROLE_ARN);
  const v2 = await put(US, src, 'k2', 'two');
  await waitReplica(EU, dst, 'k2', v2);
  assert.equal(
    (await client(EU).send(new HeadObjectCommand({ Bucket: dst, Key: 'k2' }))).StorageClass,
    undefined,
    'STANDARD now that the rule without a storage class wins',
  );
  rules = setRuleEnabled(setRuleEnabled(rules, 'low', false), 'high', false);
  await writeBucketReplication(client(US), src, rules, LOCAL_ROLE_ARN);
  await put(US, src, 'k3', 'three');
  assert.equal(await replicationStatus(US, src, 'k3'), undefined, 'no enabled rule: no status');
  await sleep(300);
  assert.ok(await missing(EU, dst, 'k3'));
});

function twoWayInput(
  a: { bucket: string; region: string },
  b: { bucket: string; region: string },
): TwoWayInput {
  return { accountId: 'local', accountKind: 'local', clientFor: client, a, b };
}

test('the two-way wizard: unversioned buckets end with both rules and replication both ways', async () => {
  const a = { bucket: await bucket(US, 'none'), region: US };
  const b = { bucket: await bucket(AP, 'none'), region: AP };
  const preview = await previewTwoWay(twoWayInput(a, b));
  assert.deepEqual(preview.checks, []);
  assert.equal(preview.role, null);
  const steps = preview.steps.join('\n');
  assert.match(
    steps,
    new RegExp(`Enable versioning on '${a.bucket}' \\(us-east-1\\) \\(now off\\)`),
  );
  assert.match(steps, new RegExp(`Enable versioning on '${b.bucket}'`));
  assert.match(steps, /No IAM role: the local regions need none/);
  assert.match(steps, /replica-modification sync on, delete markers replicated/);
  assert.match(steps, /restored as they were/);

  const done = await createTwoWay(twoWayInput(a, b));
  assert.equal(done.role, LOCAL_ROLE_ARN);
  assert.equal(done.roleCreated, false);
  for (const [side, other] of [
    [done.a, b],
    [done.b, a],
  ] as const) {
    assert.equal(side.versioning, 'Enabled');
    assert.deepEqual(side.rules, [
      {
        id: twoWayRuleId(other.bucket),
        priority: 1,
        enabled: true,
        filter: { prefix: '', tags: [] },
        destination: {
          bucket: other.bucket,
          region: other.region,
          account: null,
          storageClass: null,
          ownerOverride: false,
        },
        rtc: false,
        metrics: false,
        deleteMarkerReplication: true,
        replicaModifications: true,
      },
    ]);
  }
  // The local regions keep every field the wizard sent.
  assert.deepEqual(done.a.notKept, []);
  assert.deepEqual(done.b.notKept, []);
  const { notKept: _a, notKeptMessage: _m, ...storedA } = done.a;
  assert.deepEqual(await read(US, a.bucket), storedA);

  const fromA = await put(US, a.bucket, 'from-a.txt', 'written in A');
  const fromB = await put(AP, b.bucket, 'from-b.txt', 'written in B');
  await waitReplica(AP, b.bucket, 'from-a.txt', fromA);
  await waitReplica(US, a.bucket, 'from-b.txt', fromB);
  assert.equal(await readText(client(AP), b.bucket, 'from-a.txt'), 'written in A');
  assert.equal(await readText(client(US), a.bucket, 'from-b.txt'), 'written in B');
  await sleep(300);
  // No loop: each bucket holds exactly one version of each key.
  for (const [region, name] of [
    [US, a.bucket],
    [AP, b.bucket],
  ] as const) {
    const v = await client(region).send(new ListObjectVersionsCommand({ Bucket: name }));
    assert.equal(
      v.Versions?.length,
      2,
      `${name}: ${JSON.stringify(v.Versions?.map((x) => x.Key))}`,
    );
  }
  // Deletes follow both ways.
  await client(AP).send(new DeleteObjectCommand({ Bucket: b.bucket, Key: 'from-a.txt' }));
  await waitFor(() => missing(US, a.bucket, 'from-a.txt'), 8000, 'delete from B reaches A');
  // Replicas are not "unreplicated": S3 never replicates them again.
  const rulesA = done.a.rules;
  assert.deepEqual(
    (await listUnreplicated(client(US), a.bucket, rulesA, { local: true })).keys,
    [],
  );
});

test('the two-way wizard keeps other rules, and rolls the first bucket back when the second write fails', async () => {
  const a = { bucket: await bucket(US), region: US };
  const b = { bucket: await bucket(EU, 'none'), region: EU };
  const c = await bucket(AP);
  const before = [newRule({ bucket: c, region: AP }, { id: 'to-c', priority: 3 })];
  await writeBucketReplication(client(US), a.bucket, before, LOCAL_ROLE_ARN);

  const preview = await previewTwoWay(twoWayInput(a, b));
  assert.match(preview.steps.join('\n'), /keeps its 1 other rule unchanged/);
  assert.match(
    preview.steps.join('\n'),
    new RegExp(`Versioning is already enabled on '${a.bucket}'`),
  );

  // A client for EU whose PutBucketReplication is refused: the second write fails.
  const refusing = new S3Client({
    endpoint: t.endpoint(EU),
    region: EU,
    credentials: { accessKeyId: t.handle.accessKeyId, secretAccessKey: t.handle.secretAccessKey },
  });
  refusing.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutBucketReplicationCommand') {
        throw Object.assign(new Error('Access Denied'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        });
      }
      return next(args);
    },
    { step: 'initialize' },
  );
  try {
    const input: TwoWayInput = {
      ...twoWayInput(a, b),
      clientFor: (region) => (region === EU ? refusing : client(region)),
    };
    await assert.rejects(createTwoWay(input), (err: unknown) => {
      assert.ok(err instanceof ContractError);
      assert.equal(err.code, 'Forbidden');
      assert.match(
        err.message,
        new RegExp(`rule from '${b.bucket}' to '${a.bucket}' could not be written`),
      );
      assert.match(err.message, /Access denied/);
      assert.match(
        err.message,
        new RegExp(`Rolled back: the replication rules of '${a.bucket}' are as they were before`),
      );
      assert.match(err.message, new RegExp(`Versioning stays enabled on '${b.bucket}'`));
      return true;
    });
  } finally {
    refusing.destroy();
  }
  assert.deepEqual((await read(US, a.bucket)).rules, before);
  assert.deepEqual((await read(EU, b.bucket)).rules, []);

  // With a working client the same wizard succeeds and keeps rule to-c.
  const done = await createTwoWay(twoWayInput(a, b));
  assert.deepEqual(
    done.a.rules.map((r) => r.id),
    ['to-c', twoWayRuleId(b.bucket)],
  );
  const v = await put(US, a.bucket, 'k', 'both');
  await waitReplica(EU, b.bucket, 'k', v);
  await waitReplica(AP, c, 'k', v);
});

test('the wizard refuses one bucket twice, and a missing bucket, changing nothing', async () => {
  const a = { bucket: await bucket(US, 'none'), region: US };
  const same = await previewTwoWay(twoWayInput(a, a));
  assert.match(same.checks.map((c) => c.message).join('\n'), /two different buckets/);
  await assert.rejects(createTwoWay(twoWayInput(a, a)), /two different buckets/);
  const gone = { bucket: 'rep-missing-bucket-for-wizard', region: EU };
  await assert.rejects(
    createTwoWay(twoWayInput(a, gone)),
    /'rep-missing-bucket-for-wizard' \(eu-west-1\) does not exist/,
  );
  assert.equal((await read(US, a.bucket)).versioning, 'Off', 'nothing was changed');
});

test('existing objects: listed as not replicated, then replicated in place (lineage, tags, headers kept)', async () => {
  const src = await bucket(US);
  const dst = await bucket(EU);
  const vDoc = await put(US, src, 'docs/old.txt', 'old content', {
    Metadata: { 'rs-device': 'dev1', 'rs-base': 'none', 'rs-sha256': 'abc' },
    ContentType: 'text/plain',
    Tagging: 'team=blue',
  });
  await put(US, src, 'docs/plain.bin', 'plain');
  await put(US, src, 'other/outside.txt', 'not under the rule');
  await put(US, src, 'docs/gone.txt', 'deleted');
  await client(US).send(new DeleteObjectCommand({ Bucket: src, Key: 'docs/gone.txt' }));
  const big = Buffer.alloc(6 * 1024 * 1024 + 123, 7);
  await client(US).send(new PutObjectCommand({ Bucket: src, Key: 'docs/big.bin', Body: big }));

  const rules = [
    newRule({ bucket: dst, region: EU }, { id: 'docs', filter: { prefix: 'docs/', tags: [] } }),
  ];
  await writeBucketReplication(client(US), src, rules, LOCAL_ROLE_ARN);
  const fresh = await put(US, src, 'docs/new.txt', 'written after the rule');
  await waitReplica(EU, dst, 'docs/new.txt', fresh);

  const listed = await listUnreplicated(client(US), src, rules, { local: true });
  assert.deepEqual(
    listed.keys.map((k) => k.key),
    ['docs/big.bin', 'docs/old.txt', 'docs/plain.bin'],
  );
  assert.equal(listed.total, 3);
  assert.equal(listed.batchAlternative, null);
  assert.deepEqual(
    listed.keys.find((k) => k.key === 'docs/old.txt'),
    {
      key: 'docs/old.txt',
      versionId: vDoc,
      size: 11,
    },
  );
  const limited = await listUnreplicated(client(US), src, rules, { limit: 1 });
  assert.equal(limited.keys.length, 1);
  assert.equal(limited.total, 3);
  assert.equal(limited.batchAlternative, BATCH_REPLICATION_NOTE);
  assert.match(BATCH_REPLICATION_NOTE, /S3 Batch Replication/);

  const result = await replicateInPlace(
    client(US),
    src,
    [...listed.keys.map((k) => k.key), 'docs/gone.txt'],
    { multipartAbove: 1024 * 1024, partSize: 5 * 1024 * 1024 },
  );
  assert.equal(result.copied, 3);
  assert.deepEqual(
    result.failed.map((f) => f.key),
    ['docs/gone.txt'],
  );
  assert.match(result.failed[0]?.message ?? '', /docs\/gone.txt/);

  for (const key of ['docs/old.txt', 'docs/plain.bin', 'docs/big.bin']) {
    await waitReplica(EU, dst, key);
  }
  assert.equal(await readText(client(EU), dst, 'docs/old.txt'), 'old content');
  assert.equal(await readText(client(EU), dst, 'docs/plain.bin'), 'plain');
  const bigReplica = await client(EU).send(
    new HeadObjectCommand({ Bucket: dst, Key: 'docs/big.bin' }),
  );
  assert.equal(bigReplica.ContentLength, big.length);
  assert.match(bigReplica.ETag ?? '', /-2"$/, 'copied in two parts (UploadPartCopy)');
  assert.ok((await readBytes(client(EU), dst, 'docs/big.bin')).equals(big));
  const copy = await client(US).send(new HeadObjectCommand({ Bucket: src, Key: 'docs/old.txt' }));
  assert.notEqual(copy.VersionId, vDoc, 'a new version');
  assert.equal(copy.ContentType, 'text/plain');
  assert.deepEqual(copy.Metadata, { 'rs-device': 'dev1', 'rs-base': vDoc, 'rs-sha256': 'abc' });
  const tags = await client(EU).send(
    new GetObjectTaggingCommand({ Bucket: dst, Key: 'docs/old.txt' }),
  );
  assert.deepEqual(tags.TagSet, [{ Key: 'team', Value: 'blue' }]);
  assert.ok(await missing(EU, dst, 'other/outside.txt'));

  const after = await listUnreplicated(client(US), src, rules, { local: true });
  assert.deepEqual(after.keys, []);
  assert.equal(after.total, 0);
});

test('existing objects under a tag rule: only tagged ones are listed', async () => {
  const src = await bucket(EU);
  const dst = await bucket(AP);
  await put(EU, src, 'a.txt', 'a', { Tagging: 'keep=yes' });
  await put(EU, src, 'b.txt', 'b', { Tagging: 'keep=no' });
  await put(EU, src, 'c.txt', 'c');
  const rules = [
    newRule(
      { bucket: dst },
      { id: 'kept', filter: { prefix: '', tags: [{ key: 'keep', value: 'yes' }] } },
    ),
  ];
  await writeBucketReplication(client(EU), src, rules, LOCAL_ROLE_ARN);
  const listed = await listUnreplicated(client(EU), src, rules, { local: true });
  assert.deepEqual(
    listed.keys.map((k) => k.key),
    ['a.txt'],
  );
  assert.deepEqual(await replicateInPlace(client(EU), src, ['a.txt']), { copied: 1, failed: [] });
  await waitReplica(AP, dst, 'a.txt');
});
