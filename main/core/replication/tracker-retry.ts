// "Retry replication" of a tracked file (status-tracker.ts): FAILED or missing replicas are
// diagnosed first (repair.ts), then the version is written again in place and followed anew.
import type { S3Client } from '@aws-sdk/client-s3';
import { ContractError } from '../../contract/index.js';
import { blocksRetry, diagnose, retryReplication } from './repair.js';
import type { ReplicaStore } from './replica-store.js';
import type { RewriteEvent, TrackInput } from './tracker-config.js';

export interface RetryDeps {
  store: ReplicaStore;
  /** The folder's client in a region. */
  client: (region: string) => S3Client;
  track: (input: TrackInput) => void;
  now: () => number;
  onRewrite?: (e: RewriteEvent) => void;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export async function retryTracked(
  deps: RetryDeps,
  folderId: string,
  relPath: string,
  options: { device?: string },
): Promise<void> {
  const f = deps.store.file(folderId, relPath);
  if (!f)
    throw new ContractError({
      code: 'NotFound',
      message: `Replica Sync has not followed the replicas of ${relPath}: upload it first.`,
    });
  const broken = deps.store
    .destinations(folderId, relPath)
    .filter((d) => d.state === 'failed' || d.state === 'missing');
  if (broken.length === 0 && f.sourceStatus !== 'FAILED')
    throw new ContractError({
      code: 'Forbidden',
      message: `${relPath} has no failed replica to repair.`,
      action: { kind: 'none' },
    });
  for (const d of broken) {
    const diag = await diagnose(deps.client, d);
    if (blocksRetry(diag))
      throw new ContractError({
        code: 'Forbidden',
        message: diag.message,
        action: diag.fix ?? { kind: 'none' },
      });
  }
  const r = await retryReplication(
    deps.client(f.region),
    { bucket: f.bucket, key: f.key, versionId: f.versionId, region: f.region },
    options.device !== undefined ? { device: options.device } : {},
  );
  if (r.kind === 'superseded')
    throw new ContractError({ code: 'Forbidden', message: r.message, action: { kind: 'none' } });
  deps.track({ ...f, versionId: r.versionId, uploadedAt: deps.now() });
  deps.onRewrite?.({
    folderId,
    relPath,
    previousVersionId: f.versionId,
    versionId: r.versionId,
    etag: r.etag,
  });
  deps.log?.(
    'info',
    `Wrote ${relPath} again in ${f.bucket} (version ${r.versionId}) so S3 replicates it again`,
  );
}
