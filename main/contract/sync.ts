// Folders and files as the UI and the CLI see them.

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
  label: string;
  /** Where its secret lives, in words ("local regions", "kept in memory only", ...). */
  secretStorage: string;
}
