// The replication part of the command map (spread into commands.ts: still one map).
import { KEY_LIST_MAX_CHARS, KEY_LIST_MAX_ITEMS, REPLICATION_RULES_MAX } from './limits.js';
import { array, boolean, number, object, optional, string, type Schema } from './schema.js';
import type {
  BucketReplication,
  FileReplication,
  LocalRegionStatus,
  ReplicationVerdict,
  RolePreview,
  RuleCheck,
  RuleStats,
  SavedReplication,
  SimulationResult,
} from './replication.js';

const accountId = string({ min: 1, max: 64 });
const bucket = string({ min: 3, max: 63 });
const region = string({ min: 1, max: 32 });
const folderId = string({ min: 1, max: 64, pattern: /^[A-Za-z0-9_-]+$/ });
const tag = object({ key: string({ min: 1, max: 128 }), value: string({ max: 256 }) });
const bucketRef = object({ bucket, region });
const keyList = array(string({ min: 1, max: 1024 }), {
  max: KEY_LIST_MAX_ITEMS,
  maxTotalLength: KEY_LIST_MAX_CHARS,
});

export const ruleSchema = object({
  id: string({ min: 1, max: 255 }),
  priority: number({ integer: true, min: 0, max: 1_000_000 }),
  enabled: boolean(),
  filter: object({ prefix: string({ max: 1024 }), tags: array(tag, { max: 10 }) }),
  destination: object({
    bucket,
    region: optional(region),
    account: optional(string({ pattern: /^\d{12}$/ })),
    storageClass: optional(string({ max: 32 })),
    ownerOverride: boolean(),
  }),
  rtc: boolean(),
  metrics: boolean(),
  deleteMarkerReplication: boolean(),
  replicaModifications: boolean(),
});

const bucketArgs = object({ accountId, bucket, region });

export const replicationCommandArgs = {
  'replication.buckets': object({ accountId }),
  'replication.check': object({
    accountId,
    bucket,
    region,
    rules: array(ruleSchema, { max: REPLICATION_RULES_MAX }),
  }),
  'replication.save': object({
    accountId,
    bucket,
    region,
    rules: array(ruleSchema, { max: REPLICATION_RULES_MAX }),
    role: optional(string({ max: 2048 })),
  }),
  'replication.deleteConfig': bucketArgs,
  /** The role the editor's rules need, from the generator the wizard uses too. */
  'replication.rolePreview': object({
    accountId,
    bucket,
    region,
    rules: array(ruleSchema, { max: REPLICATION_RULES_MAX }),
  }),
  'replication.listRoles': object({ accountId }),
  'replication.createRole': object({
    accountId,
    bucket,
    region,
    rules: array(ruleSchema, { max: REPLICATION_RULES_MAX }),
  }),
  'replication.canary': bucketArgs,
  'replication.previewTwoWay': object({ accountId, a: bucketRef, b: bucketRef }),
  'replication.createTwoWay': object({
    accountId,
    a: bucketRef,
    b: bucketRef,
    role: optional(string({ max: 2048 })),
    createRole: boolean(),
  }),
  'replication.simulate': object({
    accountId,
    bucket,
    region,
    path: string({ max: 1024 }),
    tags: optional(array(tag, { max: 10 })),
  }),
  'replication.unreplicated': object({
    accountId,
    bucket,
    region,
    limit: optional(number({ integer: true, min: 1, max: 10_000 })),
  }),
  'replication.replicateExisting': object({
    accountId,
    bucket,
    region,
    keys: keyList,
  }),
  'replication.ruleStats': bucketArgs,
  'replication.fileStatus': object({ folderId, relPath: string({ min: 1, max: 4096 }) }),
  'replication.retry': object({ folderId, relPath: string({ min: 1, max: 4096 }) }),
  'replication.staleReplicas': object({ folderId }),
  'replication.placeDeleteMarkers': object({
    folderId,
    keys: keyList,
    confirmMassDelete: boolean(),
  }),
  'regions.list': object({}),
  'regions.setOutage': object({ region, down: boolean() }),
} satisfies Record<string, Schema<unknown>>;

export interface StaleReplica {
  key: string;
  bucket: string;
  region: string;
  /** The version the replica still shows as current. */
  versionId: string;
  size: number;
}

export interface TwoWayPreview {
  steps: string[];
  checks: RuleCheck[];
  /** Only on AWS, when a role would be created. */
  role: RolePreview | null;
}

/** The role part of the rule editor: what is needed, and the role the app would create. */
export interface RoleOffer {
  /** False for the local regions: they assume no role. */
  needed: boolean;
  message: string;
  /** The account named in the trust policy (local: the fixed LOCAL_ACCOUNT_ID), or null. */
  awsAccountId: string | null;
  /** AWS only: exactly what replication.createRole creates for these rules. */
  role: RolePreview | null;
}

/** A role whose trust policy lets s3.amazonaws.com assume it. */
export interface ExistingRole {
  name: string;
  arn: string;
}

export interface ReplicationCommandResults {
  'replication.rolePreview': RoleOffer;
  'replication.listRoles': ExistingRole[];
  /** Created (or an existing one of that name reused, its permission policy set). */
  'replication.createRole': { arn: string; created: boolean; role: RolePreview };
  'replication.buckets': BucketReplication[];
  'replication.check': RuleCheck[];
  'replication.save': SavedReplication;
  /** Writes a canary object and follows it (waits for the verdict; a few minutes at most). */
  'replication.canary': ReplicationVerdict;
  'replication.deleteConfig': { deleted: true };
  'replication.previewTwoWay': TwoWayPreview;
  'replication.createTwoWay': { a: SavedReplication; b: SavedReplication };
  'replication.simulate': SimulationResult;
  'replication.unreplicated': {
    keys: { key: string; versionId: string; size: number }[];
    total: number;
    batchAlternative: string | null;
  };
  'replication.replicateExisting': { copied: number; failed: { key: string; message: string }[] };
  'replication.ruleStats': RuleStats[];
  'replication.fileStatus': FileReplication;
  'replication.retry': FileReplication;
  'replication.staleReplicas': {
    replicas: StaleReplica[];
    massDelete: { count: number; message: string } | null;
  };
  'replication.placeDeleteMarkers': { placed: number; failed: { key: string; message: string }[] };
  'regions.list': LocalRegionStatus[];
  'regions.setOutage': LocalRegionStatus[];
}
