// Replication rules, per-file replica status and the local-regions outage switch, as the UI
// and the CLI see them.

export interface TagPair {
  key: string;
  value: string;
}

/** One S3 replication rule, with every field S3 has, in plain words. */
export interface ReplicationRuleModel {
  id: string;
  priority: number;
  enabled: boolean;
  filter: { prefix: string; tags: TagPair[] };
  destination: {
    bucket: string;
    /** Where the destination bucket lives (looked up; not part of S3's rule). */
    region: string | null;
    /** Destination account id for cross-account rules. */
    account: string | null;
    storageClass: string | null;
    /** Owner override: replicas are owned by the destination account. */
    ownerOverride: boolean;
  };
  /** Replication Time Control (15-minute SLA); needs metrics. */
  rtc: boolean;
  metrics: boolean;
  deleteMarkerReplication: boolean;
  replicaModifications: boolean;
}

export type VersioningStatus = 'Enabled' | 'Suspended' | 'Off';

export interface BucketReplication {
  accountId: string;
  bucket: string;
  region: string;
  versioning: VersioningStatus;
  /** IAM role S3 assumes; local regions need none. */
  role: string | null;
  rules: ReplicationRuleModel[];
}

export interface RuleCheck {
  level: 'error' | 'warning';
  ruleId: string | null;
  field: string | null;
  message: string;
  /** A fix the app can apply. */
  fix: { kind: 'enable-versioning'; bucket: string; region: string } | null;
}

export interface SimulationResult {
  /** The rule that decides, per destination (highest priority). */
  matches: {
    ruleId: string;
    bucket: string;
    region: string | null;
    storageClass: string;
    deletesFollow: boolean;
  }[];
  explanation: string;
}

export interface RolePreview {
  roleName: string;
  trustPolicy: string;
  permissionPolicy: string;
}

export type ReplicaState = 'pending' | 'replicated' | 'verified' | 'failed' | 'missing';

export interface DestinationStatus {
  bucket: string;
  region: string;
  state: ReplicaState;
  /** Upload to verified, measured. */
  latencyMs: number | null;
  /** Past the 15-minute Replication Time Control window. */
  rtcBreached: boolean;
  /** For failed/missing: the likely cause in plain words. */
  reason: string | null;
}

export interface FileReplication {
  folderId: string;
  relPath: string;
  versionId: string | null;
  /** x-amz-replication-status of the source version, or NONE when no rule applies. */
  sourceStatus: 'PENDING' | 'COMPLETED' | 'FAILED' | 'NONE' | 'UNKNOWN';
  destinations: DestinationStatus[];
}

export interface RuleStats {
  bucket: string;
  ruleId: string;
  pending: number;
  failed: number;
  verified: number;
  /** Upload-to-verified latencies measured for this rule, for the histogram. */
  latenciesMs: number[];
}

export interface LocalRegionStatus {
  name: string;
  endpoint: string;
  down: boolean;
}
