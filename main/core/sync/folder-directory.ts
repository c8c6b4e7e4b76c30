// The narrow view of the engine that services get (conflicts, replication, probes): a
// folder's config and its own account's client, never the engine itself. Every folder is
// served with its own account, region and capabilities (DESIGN.md section 8).
import type { S3Client } from '@aws-sdk/client-s3';
import type { ServiceCapabilities } from '../../contract/index.js';
import type { Account } from '../accounts/account.js';
import type { Disposable } from '../disposable.js';
import type { FolderConfig, UploadedVersionEvent } from './folder-types.js';

export interface FolderDirectory {
  /** The watched folders, in the order they were added. */
  folders(): FolderConfig[];
  folder(id: string): FolderConfig | undefined;
  /** The S3 client of the folder's own account in `region`. */
  clientFor(folderId: string, region: string): S3Client;
  /** The S3 client of one account (peer endpoints, rule editing, bucket lists). */
  accountClient(accountId: string, region: string): S3Client;
  account(accountId: string): Account | undefined;
  /** What the folder's service was measured to honour (undefined until probed). */
  capabilities(folderId: string): ServiceCapabilities | undefined;
}

/** Every version the engine writes, as it is written. */
export interface UploadEvents {
  onDidUpload(listener: (e: UploadedVersionEvent) => void): Disposable;
}
