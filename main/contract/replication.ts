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
  /** The region the account's client signs with for this bucket (custom: its signing region). */
  region: string;
  /**
   * What the service calls the bucket's location (GetBucketLocation), shown only; RGW answers
   * its zonegroup name. null: the service answered empty, its default location.
   */
  location: string | null;
  versioning: VersioningStatus;
  /** IAM role S3 assumes; local regions need none. */
  role: string | null;
  rules: ReplicationRuleModel[];
  /** What the last canary found on this bucket; null before one ran. */
  replicating: ReplicationVerdict | null;
}

/** One field the service did not keep as sent (read back after saving). */
export interface NotKeptField {
  /** null: the configuration itself (Role). */
  ruleId: string | null;
  /** S3's name: Filter, DeleteMarkerReplication, Role, Priority, Rule (the whole rule)… */
  field: string;
  sent: string;
  /** What came back; null: dropped. */
  stored: string | null;
}

/** A saved configuration as read back, with what the service dropped or changed. */
export interface SavedReplication extends BucketReplication {
  notKept: NotKeptField[];
  /** "This service did not keep: Filter, DeleteMarkerReplication, Role", or null. */
  notKeptMessage: string | null;
}

/**
 * Does this service replicate? A canary object is written under the reserved area and
 * followed into every destination. `not-replicating`: the service stores rules but copied
 * nothing within the window (moto, RGW 16). `failing`: the source says FAILED.
 */
export type ReplicationVerdictState =
  | 'checking'
  | 'replicating'
  | 'not-replicating'
  | 'failing'
  /** No enabled rule sends the reserved area anywhere this account can see. */
  | 'unchecked';

export interface ReplicationVerdict {
  state: ReplicationVerdictState;
  /** ISO time the verdict was reached (or the check started, while checking). */
  at: string;
  message: string;
  destinations: { bucket: string; region: string; arrived: boolean; latencyMs: number | null }[];
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
  /**
   * Where latencyMs comes from: 'service' (the replica's Last-Modified against the source's),
   * 'observed' (the check that first saw the copy: at most this long). Absent: not measured.
   */
  latencyFrom?: 'service' | 'observed' | null;
  /** The rule sending this copy has Replication Time Control (its 15-minute SLA). */
  rtc?: boolean;
  /** Past the 15-minute Replication Time Control window (only for rules with RTC). */
  rtcBreached: boolean;
  /** For failed/missing: the likely cause in plain words. */
  reason: string | null;
  /**
   * How a copy was checked: 'bytes' (a checksum the replica's service computed from its stored
   * bytes equals the source's: Verified), 'metadata' (only the rs-sha256 metadata matches, which
   * a service may just have copied: weaker). Absent while not checked.
   */
  checkedBy?: 'bytes' | 'metadata';
}

/** The reason a copy whose metadata alone matches carries (its state stays 'replicated'). */
export const METADATA_MATCH_REASON =
  'Metadata matches: same version id and rs-sha256, but the service gave no checksum computed from the stored copy, so its bytes are not verified.';

export interface FileReplication {
  folderId: string;
  relPath: string;
  versionId: string | null;
  /**
   * x-amz-replication-status of the source version, or NONE when no rule applies. REPLICA:
   * this version is itself a copy (it came in by replication, e.g. two-way).
   */
  sourceStatus: 'PENDING' | 'COMPLETED' | 'FAILED' | 'NONE' | 'UNKNOWN' | 'REPLICA';
  destinations: DestinationStatus[];
  /**
   * Why the status is not known or not moving, in plain words (e.g. the replication rules
   * cannot be read, or S3 has said PENDING past the 15-minute window); null when fine.
   */
  problem?: string | null;
  /** Checks slowed down to hourly (the status cannot be learnt, or stays PENDING). */
  slow?: boolean;
  /** For REPLICA: where the version came from (bucket null when not known). */
  replicaOf?: { bucket: string | null; region: string } | null;
}

/** A copy missed the 15-minute window of a rule with Replication Time Control. */
/** The 'replication.rtcBreach' event: the breach and the notice's words, made once in main. */
export interface RtcBreachNotice extends RtcBreach {
  title: string;
  body: string;
}

export interface RtcBreach {
  folderId: string;
  relPath: string;
  versionId: string;
  bucket: string;
  region: string;
  ruleId: string | null;
  /** Measured latency once the copy is there; null while it is still missing. */
  latencyMs: number | null;
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
