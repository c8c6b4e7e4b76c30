// Which local names cannot become S3 keys as they are, or would collide with another
// name on S3 or on another device's file system. Each problem names the file and the fix.

export const MAX_KEY_BYTES = 1024;

export type KeyProblemCode =
  | 'key-too-long'
  | 'control-character'
  | 'invalid-utf8'
  | 'dot-segment'
  | 'empty-segment'
  | 'windows-name'
  | 'not-downloadable'
  | 'unicode-collision'
  | 'case-collision';

export interface KeyProblem {
  code: KeyProblemCode;
  /** error: do not upload; warning: uploads, but other devices may not hold it. */
  severity: 'error' | 'warning';
  relPath: string;
  /** The other paths of a collision. */
  others?: string[];
  message: string;
}

/**
 * The S3 key of a relative path: the prefix (a '/' is added when it lacks one) and the
 * path in Unicode NFC, so the same name typed on macOS and elsewhere is one key.
 */
export function objectKey(prefix: string, relPath: string): string {
  const p = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  return p + relPath.normalize('NFC');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** For names read as bytes (readdir with encoding 'buffer'). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** A path with control characters and broken surrogates made visible for messages. */
export function displayPath(relPath: string): string {
  return relPath.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what it shows
    /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function invalidUtf8Problem(relPath: string): KeyProblem {
  return {
    code: 'invalid-utf8',
    severity: 'error',
    relPath,
    message:
      `"${displayPath(relPath)}" has a name that is not valid UTF-8, so it has no S3 key; ` +
      `rename it (e.g. with convmv) and it will sync`,
  };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;
const WINDOWS_RESERVED_NAME = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;
const WINDOWS_RESERVED_CHARS = /[<>:"|?*]/;
const DRIVE_LETTER = /^[A-Za-z]:/;

/** Problems of one path on its own; collisions need the other paths (KeyCollisions). */
export function checkKeyName(relPath: string, prefix = ''): KeyProblem[] {
  const problems: KeyProblem[] = [];
  const shown = displayPath(relPath);
  const add = (code: KeyProblemCode, severity: KeyProblem['severity'], message: string) =>
    problems.push({ code, severity, relPath, message });

  // U+FFFD is what Node makes of bytes that are not UTF-8: the real name is unknown.
  if (LONE_SURROGATE.test(relPath) || relPath.includes('\ufffd')) {
    problems.push(invalidUtf8Problem(relPath));
  }
  if (CONTROL.test(relPath)) {
    add(
      'control-character',
      'error',
      `"${shown}" contains a control character, which S3 keys cannot hold safely; ` +
        `rename it without line breaks, tabs or other control characters`,
    );
  }
  const segments = relPath.split('/');
  if (segments.some((s) => s === '.' || s === '..')) {
    add(
      'dot-segment',
      'error',
      `"${shown}" has a "." or ".." path segment, which S3 tools resolve away; rename it`,
    );
  }
  if (segments.some((s) => s === '')) {
    add(
      'empty-segment',
      'error',
      `"${shown}" has an empty path segment (a leading, trailing or double "/"); ` +
        `the path must be relative to the folder`,
    );
  }
  const key = objectKey(prefix, relPath);
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    add(
      'key-too-long',
      'error',
      `"${shown}": its S3 key is ${bytes} bytes, over S3's limit of ${MAX_KEY_BYTES}; ` +
        `shorten the name or the folders above it`,
    );
  }
  // Keys the pull refuses to bring down (localPathForKey): uploading them would only make
  // this device refuse its own key at every pull, and other devices could not hold them.
  if (relPath.includes('\\')) {
    add(
      'not-downloadable',
      'error',
      `"${shown}" contains a backslash, which Windows reads as a folder separator, so no ` +
        `device could download it; rename it without "\\"`,
    );
  } else {
    const drive = segments.find((s) => DRIVE_LETTER.test(s));
    if (drive !== undefined)
      add(
        'not-downloadable',
        'error',
        `"${shown}": "${displayPath(drive)}" starts like a drive letter ("${drive.slice(0, 2)}"), ` +
          `so no device could download it; rename it`,
      );
  }
  for (const seg of segments) {
    if (seg === '' || seg === '.' || seg === '..') continue;
    let why: string | null = null;
    if (/[ .]$/.test(seg)) why = `"${seg}" ends with a space or a dot`;
    else if (WINDOWS_RESERVED_NAME.test(seg)) why = `"${seg}" is a reserved device name`;
    else if (WINDOWS_RESERVED_CHARS.test(seg)) why = `"${seg}" contains one of < > : " | ? *`;
    if (why) {
      add(
        'windows-name',
        'warning',
        `"${shown}": ${displayPath(why)}, which Windows cannot hold; devices on Windows ` +
          `will not be able to download it; rename it to sync everywhere`,
      );
      break;
    }
  }
  return problems;
}

/**
 * Why a local path must not be uploaded (its key rules' errors, joined), or null when it may.
 * The one gate every path to the queue goes through: watcher batches, scans, the rescan's
 * re-queue of waiting rows, interrupted uploads resumed at start and retries.
 */
export function keyRefusal(relPath: string, prefix = ''): string | null {
  const errors = checkKeyName(relPath, prefix).filter((p) => p.severity === 'error');
  return errors.length === 0 ? null : errors.map((p) => p.message).join(' ');
}

/** What a non-regular, non-directory, non-link entry is, for messages. */
export function specialKind(st: {
  isFIFO(): boolean;
  isSocket(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
}): string | undefined {
  if (st.isFIFO()) return 'named pipe';
  if (st.isSocket()) return 'socket';
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'device file';
  return undefined;
}

/** The message for a FIFO, socket or device file met in a folder (never synced). */
export function specialFileMessage(relPath: string, what: string): string {
  return `"${displayPath(relPath)}" is a ${what}: Replica Sync syncs regular files only; it is left out (add it to .syncignore to silence this)`;
}

/** The form under which names collide on case-insensitive, normalising file systems. */
const fold = (s: string) => s.normalize('NFC').toLowerCase();

interface Spelling {
  count: number;
  dir: boolean;
}

/**
 * The set of a folder's paths, kept up to date with add/remove, that finds paths
 * mapping to the same key (Unicode forms: an error, one would overwrite the other) and
 * paths or folders differing only by case or Unicode form (a warning: they collide on
 * case-insensitive file systems of other devices).
 */
export class KeyCollisions {
  private readonly byNfc = new Map<string, Set<string>>();
  private readonly byFold = new Map<string, Map<string, Spelling>>();

  add(relPath: string): void {
    const nfc = relPath.normalize('NFC');
    let same = this.byNfc.get(nfc);
    if (!same) this.byNfc.set(nfc, (same = new Set()));
    if (same.has(relPath)) return;
    same.add(relPath);
    for (const [entry, dir] of entries(relPath)) {
      const f = fold(entry);
      let group = this.byFold.get(f);
      if (!group) this.byFold.set(f, (group = new Map()));
      const s = group.get(entry);
      if (s) s.count++;
      else group.set(entry, { count: 1, dir });
    }
  }

  remove(relPath: string): void {
    const nfc = relPath.normalize('NFC');
    const same = this.byNfc.get(nfc);
    if (!same?.delete(relPath)) return;
    if (same.size === 0) this.byNfc.delete(nfc);
    for (const [entry] of entries(relPath)) {
      const f = fold(entry);
      const group = this.byFold.get(f);
      const s = group?.get(entry);
      if (!group || !s) continue;
      if (--s.count === 0) group.delete(entry);
      if (group.size === 0) this.byFold.delete(f);
    }
  }

  /** Collisions of relPath with the paths held (relPath itself need not be held). */
  check(relPath: string): KeyProblem[] {
    const problems: KeyProblem[] = [];
    const nfc = relPath.normalize('NFC');
    const sameKey = [...(this.byNfc.get(nfc) ?? [])].filter((p) => p !== relPath).sort();
    if (sameKey.length > 0) {
      problems.push({
        code: 'unicode-collision',
        severity: 'error',
        relPath,
        others: sameKey,
        message:
          `"${displayPath(relPath)}" and ${quoteList(sameKey)} are the same name in ` +
          `different Unicode forms and map to the same S3 key; rename one of them`,
      });
    }
    // One warning per path: the path itself, else the shallowest folder above it.
    const order: [string, boolean][] = [[relPath, false], ...folders(relPath)];
    for (const [entry, dir] of order) {
      const others = [...(this.byFold.get(fold(entry)) ?? [])]
        .filter(([spelling]) => spelling !== entry)
        // Whole-path twins of the same key were reported above as an error.
        .filter(([spelling]) => dir || spelling.normalize('NFC') !== nfc)
        .map(([spelling, s]) => (s.dir ? `${spelling}/` : spelling))
        .sort();
      if (others.length === 0) continue;
      const what = dir ? `its folder "${displayPath(entry)}/"` : 'it';
      problems.push({
        code: 'case-collision',
        severity: 'warning',
        relPath,
        others,
        message:
          `"${displayPath(relPath)}": ${what} and ${quoteList(others)} differ only in ` +
          `letter case or Unicode form, so they collide on case-insensitive file systems ` +
          `(Windows, macOS) of other devices; rename one of them`,
      });
      break;
    }
    return problems;
  }
}

/** Every collision among a set of paths, one problem per path involved. */
export function findCollisions(relPaths: Iterable<string>): KeyProblem[] {
  const all = [...new Set(relPaths)];
  const set = new KeyCollisions();
  for (const p of all) set.add(p);
  return all.sort().flatMap((p) => set.check(p));
}

/** Each folder above the path, shallowest first, flagged as a folder. */
function* folders(relPath: string): Generator<[string, boolean]> {
  let i = relPath.indexOf('/');
  while (i > 0) {
    yield [relPath.slice(0, i), true];
    i = relPath.indexOf('/', i + 1);
  }
}

/** The folders above the path and the path itself (a file). */
function* entries(relPath: string): Generator<[string, boolean]> {
  yield* folders(relPath);
  yield [relPath, false];
}

function quoteList(paths: string[]): string {
  const shown = paths.slice(0, 3).map((p) => `"${displayPath(p)}"`);
  if (paths.length > 3) shown.push(`${paths.length - 3} more`);
  return shown.join(', ');
}
