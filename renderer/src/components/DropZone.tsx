import { useCallback, useEffect, useRef, useState } from 'react';
import type { FolderSummary } from '../../../main/contract/sync.js';
import { dropCopier } from '../api-instance.js';
import { errorMessage } from '../contract-error.js';
import { displayPath } from '../display-format.js';
import type { DroppedItem } from '../drop-copier.js';
import { copiedMessage, dropDestination, notCopiedMessage } from '../drop-target.js';
import { DropFolderChooser } from './DropFolderChooser.js';
import { NoticeStack, type Notice } from './NoticeStack.js';

interface Props {
  /** Watched folders; null while loading. */
  folders: readonly FolderSummary[] | null;
  /** The folder dropped files go into without asking (the Files view's filter), if any. */
  preferredFolderId: string | null;
}

const OK_NOTICE_MS = 6000;
const ERROR_NOTICE_MS = 15000;
/** Older notices go when more pile up (a dropped directory may hold many files). */
const MAX_NOTICES = 6;

function hasFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}

/**
 * Files dropped anywhere on the window are copied into a watched folder (asking which one
 * when that is not clear); each file gets a notice saying where it went or why not.
 */
export function DropZone({ folders, preferredFolderId }: Props) {
  const [dragging, setDragging] = useState(false);
  const [choosing, setChoosing] = useState<{ items: DroppedItem[]; folders: FolderSummary[] }>();
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  const latest = useRef({ folders, preferredFolderId });
  latest.current = { folders, preferredFolderId };

  const dismiss = useCallback((id: number) => {
    const timer = timers.current.get(id);
    if (timer !== undefined) clearTimeout(timer);
    timers.current.delete(id);
    setNotices((current) => current.filter((n) => n.id !== id));
  }, []);

  const notify = useCallback(
    (tone: Notice['tone'], text: string) => {
      const id = nextId.current++;
      setNotices((current) => [...current, { id, tone, text }].slice(-MAX_NOTICES));
      timers.current.set(
        id,
        setTimeout(() => dismiss(id), tone === 'ok' ? OK_NOTICE_MS : ERROR_NOTICE_MS),
      );
    },
    [dismiss],
  );

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    };
  }, []);

  const copyInto = useCallback(
    async (folder: FolderSummary, items: DroppedItem[]) => {
      try {
        await dropCopier.copy(folder.id, items, (report) => {
          if (report.ok) notify('ok', copiedMessage(report.path, folder));
          else notify('error', notCopiedMessage(report.name, folder, report.message));
        });
      } catch (error) {
        notify('error', `Could not copy into ${displayPath(folder.path)}: ${errorMessage(error)}`);
      }
    },
    [notify],
  );

  useEffect(() => {
    // Counts enter/leave pairs: leaving a child element is not leaving the window.
    let depth = 0;
    const onDragEnter = (event: DragEvent): void => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth += 1;
      setDragging(true);
    };
    const onDragOver = (event: DragEvent): void => {
      if (!hasFiles(event)) return;
      // Without this the browser opens the file instead of dropping it here.
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const onDragLeave = (event: DragEvent): void => {
      if (!hasFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDrop = (event: DragEvent): void => {
      const data = event.dataTransfer;
      depth = 0;
      setDragging(false);
      if (!data || (data.files.length === 0 && !data.types.includes('Files'))) return;
      event.preventDefault();
      const collected = dropCopier.collect(data);
      void collected.then(
        (items) => {
          if (items.length === 0) {
            notify('error', 'Nothing to copy: the drop held no files.');
            return;
          }
          const target = dropDestination(latest.current.folders, latest.current.preferredFolderId);
          if (target.kind === 'none') notify('error', target.message);
          else if (target.kind === 'folder') void copyInto(target.folder, items);
          else setChoosing({ items, folders: target.folders });
        },
        (error: unknown) =>
          notify('error', `Could not read the dropped files: ${errorMessage(error)}`),
      );
    };
    window.addEventListener('dragenter', onDragEnter);
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('dragleave', onDragLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onDragEnter);
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('dragleave', onDragLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [copyInto, notify]);

  const target = dragging ? dropDestination(folders, preferredFolderId) : null;

  return (
    <>
      {target ? (
        <div className="drop-overlay" aria-hidden="true">
          <p className="drop-overlay-text">
            {target.kind === 'folder'
              ? `Drop to copy into ${displayPath(target.folder.path)}`
              : target.kind === 'choose'
                ? 'Drop to copy into a watched folder'
                : target.message}
          </p>
        </div>
      ) : null}
      {choosing ? (
        <DropFolderChooser
          names={choosing.items.map((item) => item.name)}
          folders={choosing.folders}
          onChoose={(folder) => {
            setChoosing(undefined);
            void copyInto(folder, choosing.items);
          }}
          onCancel={() => setChoosing(undefined)}
        />
      ) : null}
      <NoticeStack notices={notices} onDismiss={dismiss} />
    </>
  );
}
