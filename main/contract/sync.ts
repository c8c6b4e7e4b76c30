// Folders and files as the UI and the CLI see them.
import type { ConflictPolicy } from './conflicts.js';

export type FolderState = 'idle' | 'scanning' | 'syncing' | 'paused' | 'error';

export type FileSyncState =
  'pending' | 'uploading' | 'synced' | 'interrupted' | 'conflict' | 'error' | 'deleted';

export interface FolderCounts {
  total: number;
  synced: number;
  pending: number;
  uploading: number;
  conflict: number;
  error: number;
  deleted: number;
}

/** A folder waiting for the user to confirm many deletes at once. */
export interface MassDeleteQuestion {
  count: number;
  percent: number;
  message: string;
}

export interface FolderSummary {
  id: string;
  path: string;
  accountId: string;
  bucket: string;
  prefix: string;
  region: string;
  state: FolderState;
  /** Set when paused by the user (not by an error or a question). */
  userPaused: boolean;
  error: string | null;
  massDelete: MassDeleteQuestion | null;
  counts: FolderCounts;
  /** Bytes of the uploads in flight and queued, for a progress bar. */
  progress: { bytesDone: number; bytesTotal: number; files: number };
  /** Problems with local names (S3 cannot take them, or they collide). */
  nameProblems: string[];
  /** How conflicts in this folder are resolved (conflicts.setPolicy), when the engine says. */
  conflictPolicy?: ConflictPolicy;
  /** What the folder's service was measured to honour, in sentences, once probed. */
  service?: { summary: string[]; probedAt: number };
  /** Other endpoints of the same bucket (multisite zones), part of its replication group. */
  peers?: { label: string; bucket: string; region: string; accountId: string }[];
}

export interface FileRow {
  folderId: string;
  relPath: string;
  size: number;
  mtimeMs: number;
  state: FileSyncState;
  versionId: string | null;
  error: string | null;
  /** 0..1 while uploading. */
  progress: number | null;
}

export interface FilePage {
  total: number;
  offset: number;
  rows: FileRow[];
}

export interface AccountSummary {
  id: string;
  kind: 'local' | 'aws-profile' | 'aws-keys' | 'custom';
  /** What the user calls it; accounts.list and accounts.add* set it (the CLI finds accounts by it). */
  name?: string;
  label: string;
  /** Where its secret lives, in words ("local regions", "kept in memory only", ...). */
  secretStorage: string;
}

/** What accounts.test found: whether the credentials work, and S3's answer otherwise. */
export interface AccountTestResult {
  ok: boolean;
  /** One sentence for the user: what worked, or what failed and the fix. */
  message: string;
  /** Classified error code when it failed (SignatureDoesNotMatch, NoSuchBucket, …). */
  code?: string;
  /** Names of the buckets these credentials list, when tested without a bucket. */
  buckets?: string[];
}

/** The named profiles of the AWS config files (accounts.listProfiles). */
export interface AwsProfileList {
  profiles: string[];
  /** The files read (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE or ~/.aws/…). */
  configFile: string;
  credentialsFile: string;
}
