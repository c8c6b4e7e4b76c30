import { useId, useState } from 'react';
import type { FolderSummary } from '../../../main/contract/sync.js';
import { api } from '../api-instance.js';
import { errorMessage } from '../contract-error.js';
import {
  describeCounts,
  displayPath,
  FOLDER_STATE_LABELS,
  formatBytes,
  percentOf,
} from '../display-format.js';
import { FolderActions, type FolderAction } from './FolderActions.js';
import { MassDeleteBanner } from './MassDeleteBanner.js';
import { ProgressBar } from './ProgressBar.js';
import { ServiceDetails } from './ServiceDetails.js';
import { StateBadge } from './StateBadge.js';

interface Props {
  folder: FolderSummary;
  /** A command answered with the folder's fresh summary. */
  onFolder: (folder: FolderSummary) => void;
  onRemoved: (id: string) => void;
}

function progressText(folder: FolderSummary): string {
  const { bytesDone, bytesTotal, files } = folder.progress;
  const percent = percentOf(bytesDone, bytesTotal);
  const what = `${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)}`;
  const count = files === 1 ? '1 file' : `${files} files`;
  return `${what}${percent === null ? '' : ` (${percent}%)`}, ${count}`;
}

/** One watched folder: where it syncs to, its state and counts, and what can be done. */
export function FolderCard({ folder, onFolder, onRemoved }: Props) {
  const [busy, setBusy] = useState<FolderAction | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const headingId = useId();

  const run = async (action: FolderAction, work: () => Promise<void>): Promise<void> => {
    setBusy(action);
    setFailure(null);
    try {
      await work();
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(null);
    }
  };

  const id = folder.id;
  const uploading = folder.progress.bytesTotal > 0;

  return (
    <li className="folder" aria-labelledby={headingId}>
      <div className="folder-head">
        <h2 className="folder-path item-path" id={headingId} title={folder.path}>
          {displayPath(folder.path)}
        </h2>
        <StateBadge
          label={FOLDER_STATE_LABELS[folder.state]}
          tone={folder.state}
          detail={folder.error}
        />
      </div>

      <dl className="folder-facts">
        <div>
          <dt>Bucket</dt>
          <dd className="item-path">{folder.bucket}</dd>
        </div>
        <div>
          <dt>Prefix</dt>
          <dd className="item-path">{folder.prefix === '' ? '(none)' : folder.prefix}</dd>
        </div>
        <div>
          <dt>Region</dt>
          <dd>{folder.region}</dd>
        </div>
      </dl>

      <ServiceDetails folder={folder} />

      {folder.state === 'error' && folder.error ? (
        <p className="folder-error" role="alert">
          {folder.error}
        </p>
      ) : null}

      {folder.massDelete ? (
        <MassDeleteBanner
          question={folder.massDelete}
          busy={busy !== null}
          onAnswer={(proceed) =>
            void run('answer', async () =>
              onFolder(await api.invoke('folders.answerMassDelete', { id, proceed })),
            )
          }
        />
      ) : null}

      <p className="folder-counts">{describeCounts(folder.counts)}</p>

      {uploading ? (
        <ProgressBar
          label={`Upload progress of ${displayPath(folder.path)}`}
          value={folder.progress.bytesDone}
          max={folder.progress.bytesTotal}
          valueText={progressText(folder)}
        />
      ) : null}

      {folder.nameProblems.length > 0 ? (
        <div className="notice notice-warn">
          <p className="notice-title">
            {folder.nameProblems.length === 1
              ? '1 name cannot be synced'
              : `${folder.nameProblems.length} names cannot be synced`}
          </p>
          <ul aria-label={`Name problems in ${displayPath(folder.path)}`}>
            {folder.nameProblems.map((problem, index) => (
              <li key={`${index}:${problem}`}>{problem}</li>
            ))}
          </ul>
        </div>
      ) : null}

      {failure ? (
        <p className="field-error" role="alert">
          {failure}
        </p>
      ) : null}

      <FolderActions
        folder={folder}
        busy={busy}
        onPause={(paused) =>
          void run(paused ? 'pause' : 'resume', async () =>
            onFolder(await api.invoke('folders.setPaused', { id, paused })),
          )
        }
        onRescan={() =>
          void run('rescan', async () => onFolder(await api.invoke('folders.rescan', { id })))
        }
        onRemove={() =>
          void run('remove', async () => {
            await api.invoke('folders.remove', { id });
            onRemoved(id);
          })
        }
      />
    </li>
  );
}
