// files.list: one page of rows across several folders, as if their rows were one list.
import type { CommandArgs, FilePage } from '../../contract/index.js';
import type { FileIndex } from '../index/file-index.js';
import type { QueueItemInfo } from '../transfer/upload-queue.js';
import { toFileRow } from './engine-views.js';

/** Folders are taken in the order given; offset and limit count across all of them. */
export function pageFiles(
  files: FileIndex,
  folderIds: readonly string[],
  args: CommandArgs<'files.list'>,
  queued: Map<string, QueueItemInfo>,
): FilePage {
  const filter = {
    ...(args.state ? { state: args.state } : {}),
    ...(args.search ? { search: args.search } : {}),
  };
  let total = 0;
  let skip = args.offset;
  const rows = [];
  for (const id of folderIds) {
    // Every folder is counted, even past the page, so total covers them all.
    const n = files.count(id, filter);
    total += n;
    if (rows.length >= args.limit || skip >= n) {
      skip = Math.max(0, skip - n);
      continue;
    }
    const page = files.list(id, {
      ...filter,
      offset: skip,
      limit: args.limit - rows.length,
    });
    skip = 0;
    rows.push(...page.map((r) => toFileRow(r, queued)));
  }
  return { total, offset: args.offset, rows };
}
