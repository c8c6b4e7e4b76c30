import type { S3Client } from '@aws-sdk/client-s3';
import type { FolderState } from '../../contract/index.js';
import type { FileIndex, FileRecord } from '../index/file-index.js';
import type { FolderPeer } from '../index/index-db.js';
import type { MultipartParts } from '../index/multipart-parts.js';
import type { UploadQueue } from '../transfer/upload-queue.js';
import type { WriteStrategy } from '../transfer/upload-common.js';

/** A watched folder and where it syncs to. */
export interface FolderConfig {
  id: string;
  localPath: string;
  accountId: string;
  bucket: string;
  /** '' or ending in '/'. */
  prefix: string;
  region: string;
  /** Other endpoints of the same bucket (multisite zones): part of its replication group. */
  peers?: FolderPeer[];
}

export interface FolderTuning {
  massDeleteFiles: number;
  massDeletePercent: number;
  /** Safety-net full rescan. */
  rescanMs: number;
  /** How often remote changes are looked for. */
  pollMs: number;
  settleMs: number;
  /**
   * First wait before a transient failure (an upload, a pull, a scan, the folder's error) is
   * tried again; it doubles with every failure in a row, up to retryMaxMs, with jitter.
   */
  retryMs: number;
  /** Longest wait between tries (default 60 s). */
  retryMaxMs?: number;
  multipartThreshold?: number;
}

export const DEFAULT_TUNING: FolderTuning = {
  massDeleteFiles: 50,
  massDeletePercent: 50,
  rescanMs: 10 * 60_000,
  pollMs: 15_000,
  settleMs: 500,
  retryMs: 1_000,
  retryMaxMs: 60_000,
};

/** What a folder loop needs from the engine around it. */
export interface FolderDeps {
  index: FileIndex;
  parts: MultipartParts;
  queue: UploadQueue;
  client: S3Client;
  /** Installation id, written as rs-device. */
  device: string;
  tuning: FolderTuning;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** The folder's summary changed (state, counts, progress). */
  onSummary: () => void;
  /** These rows changed. */
  onRows: (rows: FileRecord[]) => void;
  /** A version was written to the bucket (the replica tracker follows it from here). */
  onUploaded?: (e: UploadedVersionEvent) => void;
  /** How writes are made on the folder's service, from its measured capabilities. */
  strategy: () => WriteStrategy;
  /** An unconditional write found a version someone else wrote in between (a fork). */
  onForkSuspected?: (folderId: string, relPath: string) => void;
}

export interface UploadedVersionEvent {
  folderId: string;
  relPath: string;
  bucket: string;
  region: string;
  key: string;
  versionId: string;
  sha256: string;
  uploadedAt: number;
}

export type LoopState = FolderState;
