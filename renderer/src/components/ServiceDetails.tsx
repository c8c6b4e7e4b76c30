import type { FolderSummary } from '../../../main/contract/sync.js';

interface Props {
  folder: FolderSummary;
}

/** What the folder's service was measured to honour, and the bucket's other endpoints. */
export function ServiceDetails({ folder }: Props) {
  const service = folder.service;
  const peers = folder.peers ?? [];
  if (!service && peers.length === 0) return null;
  return (
    <details className="folder-service">
      <summary>What this service honours</summary>
      {service ? (
        <>
          <ul aria-label={`What the service of ${folder.bucket} honours`}>
            {service.summary.map((line, index) => (
              <li key={`${index}:${line}`}>{line}</li>
            ))}
          </ul>
          <p className="folder-service-when">
            Measured {new Date(service.probedAt).toLocaleString()} on scratch keys under
            .replica-sync/ (removed afterwards); measured again after an error.
          </p>
        </>
      ) : (
        <p>Not measured yet: until it is, every upload is checked after it is written.</p>
      )}
      {peers.length > 0 ? (
        <p>
          Other endpoints of this bucket, watched for conflicts:{' '}
          {peers.map((p) => `${p.label} (${p.bucket}, ${p.region})`).join(', ')}
        </p>
      ) : null}
    </details>
  );
}
