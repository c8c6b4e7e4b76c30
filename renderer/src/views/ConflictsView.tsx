import { useEffect, useMemo, useState } from 'react';
import type { ConflictSummary } from '../../../main/contract/conflicts.js';
import type { FolderSummary } from '../../../main/contract/sync.js';
import { mode } from '../api-instance.js';
import { BulkResolvePanel } from '../components/BulkResolvePanel.js';
import { ConflictDetail } from '../components/ConflictDetail.js';
import { ConflictList } from '../components/ConflictList.js';
import { ConflictPolicyPanel } from '../components/ConflictPolicyPanel.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { LoadingNotice } from '../components/LoadingNotice.js';
import { NotificationPermission } from '../components/NotificationPermission.js';
import { ViewHeader } from '../components/ViewHeader.js';
import { countConflicts } from '../conflict-format.js';
import type { LiveValue } from '../hooks/use-live-value.js';
import { useSelectedConflict } from '../hooks/use-selected-conflict.js';
import './conflicts.css';

interface Props {
  conflicts: LiveValue<ConflictSummary[]>;
  folders: LiveValue<FolderSummary[]>;
}

export function ConflictsView({ conflicts, folders }: Props) {
  const [selectedId, select] = useSelectedConflict();
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [confirmation, setConfirmation] = useState<string | null>(null);
  const list = conflicts.value;

  // Ticks of conflicts that are gone (resolved, here or elsewhere) are dropped.
  useEffect(() => {
    if (list === null) return;
    setChecked((current) => {
      const open = new Set(list.map((c) => c.id));
      const kept = [...current].filter((id) => open.has(id));
      return kept.length === current.size ? current : new Set(kept);
    });
  }, [list]);

  const selected = list?.find((c) => c.id === selectedId) ?? null;
  const ticked = useMemo(() => (list ?? []).filter((c) => checked.has(c.id)), [list, checked]);
  const folderPath = (folderId: string): string | undefined =>
    folders.value?.find((f) => f.id === folderId)?.path;

  const onCheck = (ids: string[], on: boolean): void =>
    setChecked((current) => {
      const next = new Set(current);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });

  /** After a resolve the next open conflict is shown. */
  const onResolved = (message: string): void => {
    setConfirmation(message);
    const rest = (list ?? []).filter((c) => c.id !== selectedId);
    select(rest[0]?.id ?? null);
  };

  return (
    <section className="view view-wide conflicts">
      <ViewHeader title="Conflicts">
        Versions of one file written from the same base: on this device and another, or in two
        regions at once. Every version stays in the bucket&apos;s history until you choose.
      </ViewHeader>
      {mode === 'browser' ? <NotificationPermission /> : null}
      <p className="form-confirmation live-slot" aria-live="polite">
        {confirmation}
      </p>
      {conflicts.error ? (
        <ErrorNotice
          title="Could not list the conflicts."
          error={conflicts.error}
          onRetry={conflicts.reload}
        />
      ) : null}

      {list === null ? (
        conflicts.error ? null : (
          <LoadingNotice label="Loading conflicts…" />
        )
      ) : list.length === 0 ? (
        <EmptyState title="No conflicts">
          <p>Every tracked file has a single current version.</p>
        </EmptyState>
      ) : (
        <>
          <p className="view-summary">{countConflicts(list.length)} to resolve.</p>
          <div className="conflicts-layout">
            <ConflictList
              conflicts={list}
              selectedId={selected?.id ?? null}
              onSelect={(id) => {
                setConfirmation(null);
                select(id);
              }}
              checked={checked}
              onCheck={onCheck}
            />
            {selected ? (
              <ConflictDetail
                key={selected.id}
                conflict={selected}
                folderPath={folderPath(selected.folderId)}
                onResolved={onResolved}
                onMessage={setConfirmation}
              />
            ) : (
              <div className="conflict-detail conflict-detail-empty">
                <p>
                  {selectedId
                    ? 'That conflict is resolved or no longer open. Choose another from the list.'
                    : 'Choose a conflict to see its versions side by side.'}
                </p>
              </div>
            )}
          </div>
          <BulkResolvePanel
            selected={ticked}
            onResolved={(message) => {
              setConfirmation(message);
              setChecked(new Set());
            }}
          />
        </>
      )}

      {folders.value ? <ConflictPolicyPanel folders={folders.value} /> : null}
    </section>
  );
}
