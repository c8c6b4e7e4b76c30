// What a folder does not sync: .syncignore at the folder root (gitignore syntax) on top
// of built-in rules for editor, OS and download droppings, plus our own temp files.
import fs from 'node:fs/promises';
import path from 'node:path';
import { RESERVED_DIR } from '../reserved-keys.js';
import ignore, { type Ignore } from 'ignore';
import { toDisposable, type Disposable } from '../disposable.js';

export const SYNCIGNORE = '.syncignore';

/** Our own temp files and trash: never synced, and a .syncignore cannot change that. */
export const MANDATORY_IGNORES: readonly string[] = [
  '.rs-tmp-*',
  '.replica-sync-trash/',
  // The bucket's reserved area (probes, canaries): a local folder of that name is never sent.
  `/${RESERVED_DIR}/`,
];

/** Defaults a .syncignore may override with a negation (`!*.part`). */
export const BUILTIN_IGNORES: readonly string[] = [
  // editor temp and lock files (4913 is vim's write-permission probe)
  '*.swp',
  '*.swo',
  '*~',
  '.~lock.*#',
  '~$*',
  '.#*',
  '4913',
  // OS metadata
  '.DS_Store',
  'Thumbs.db',
  'desktop.ini',
  // partial downloads
  '*.crdownload',
  '*.part',
  '*.partial',
  '*.download',
];

export interface IgnoreRulesOptions {
  /** Case-insensitive matching; defaults to what the platform's file system does. */
  ignoreCase?: boolean;
}

const caseInsensitiveFs = process.platform === 'win32' || process.platform === 'darwin';

export class IgnoreRules {
  private readonly mandatory = ignore({ ignorecase: true }).add([...MANDATORY_IGNORES]);
  private rules: Ignore;
  private text = '';
  private readonly listeners = new Set<() => void>();
  /** Why .syncignore could not be read at the last (re)load; the previous rules stay. */
  error: string | null = null;

  private constructor(
    /** The folder root, or null for rules built from text. */
    readonly root: string | null,
    private readonly ignoreCase: boolean,
  ) {
    this.rules = this.build('');
  }

  static async load(root: string, options: IgnoreRulesOptions = {}): Promise<IgnoreRules> {
    const rules = new IgnoreRules(root, options.ignoreCase ?? caseInsensitiveFs);
    await rules.reload();
    return rules;
  }

  /** Rules from a .syncignore text, without a folder (tests, previews). */
  static fromText(text: string, options: IgnoreRulesOptions = {}): IgnoreRules {
    const rules = new IgnoreRules(null, options.ignoreCase ?? caseInsensitiveFs);
    rules.apply(text);
    return rules;
  }

  /** The .syncignore text in force. */
  get source(): string {
    return this.text;
  }

  /**
   * True when relPath (POSIX, relative to the root) is not synced. Pass isDir for a
   * directory so dir-only patterns (`build/`) match it too.
   */
  ignores(relPath: string, isDir = false): boolean {
    const p = relPath.replace(/^\/+|\/+$/g, '');
    if (p === '' || !ignore.isPathValid(p)) return false;
    const candidate = isDir ? `${p}/` : p;
    return this.mandatory.ignores(candidate) || this.rules.ignores(candidate);
  }

  /** True for the rules file itself, so a watcher knows when to call reload(). */
  static isRulesFile(relPath: string): boolean {
    return relPath === SYNCIGNORE;
  }

  /**
   * Re-reads .syncignore; a missing file means no user rules. Returns whether the rules
   * changed, and tells the listeners so (the engine rescans: files may have become
   * wanted or unwanted).
   */
  async reload(): Promise<boolean> {
    if (this.root === null) return false;
    let text: string;
    try {
      text = await fs.readFile(path.join(this.root, SYNCIGNORE), 'utf8');
      this.error = null;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        text = '';
        this.error = null;
      } else {
        this.error =
          `cannot read ${path.join(this.root, SYNCIGNORE)} (${code ?? String(err)}); ` +
          `the previous rules stay until the file is readable again`;
        return false;
      }
    }
    return this.apply(text);
  }

  onDidChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  private apply(text: string): boolean {
    if (text === this.text) return false;
    this.rules = this.build(text);
    this.text = text;
    for (const listener of [...this.listeners]) listener();
    return true;
  }

  private build(text: string): Ignore {
    // Built-ins first, so a user's negation (`!*.part`) re-includes them.
    return ignore({ ignorecase: this.ignoreCase })
      .add([...BUILTIN_IGNORES])
      .add(text);
  }
}
