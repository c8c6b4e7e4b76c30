// The table language of the sync-engine scenarios, in the spirit of rclone bisync's test
// cases: each case is a short script of local and remote actions, syncs, and expectations
// about the bucket's versions, the index and the local folder (run by scenario.ts).
//
//   case: NAME
//   local write PATH CONTENT          CONTENT: "text" (\n \" \\ escapes) or random:SIZE:SEED
//   local touch PATH                  new mtime, same content
//   local rename FROM TO | local delete PATH | local mkdir PATH
//   remote write KEY CONTENT [lineage=other|none] [base=head|none]
//                                     another device's PutObject (rs-device other, rs-base the
//                                     current version or none, rs-sha256) or a foreign tool's
//   remote delete KEY                 delete marker written by another device
//   sync                              rescan + pull + wait for the loops and the queue, twice
//   sync-start                        kicks a rescan without waiting
//   hold OP KEY                       the proxy holds OP requests on KEY (OP: an S3Op name)
//   wait held                         until a request held by the last `hold` arrived
//   wait Nms                          lets the watcher and the queue run for N ms
//   release                           lets held requests through
//   crash-before-index-write KEY      the next write of KEY lands in S3, the engine dies before
//                                     it hears the answer (index row left 'uploading'), restarts
//   restart                           stops and starts the engine on the same index
//   answer mass-delete yes|no
//   mark                              request counts of `expect requests` start here
//   expect bucket KEY [versions=N] [markers=N] [current=CONTENT] [deleted] [absent]
//                     [has=CONTENT]... [device=ours|other|none] [base=none|previous]
//                     [siblings=N] (versions sharing the current's rs-base: 2 = a fork)
//                     [base-holds=CONTENT] (the version the current's rs-base names)
//   expect index PATH state=S [version=current|none] [sha=bucket] [mtime=local] | absent
//   expect local PATH CONTENT | absent | in-trash [CONTENT]
//   expect requests KEY [put=N] [put-ok=N] [copy=N] [parts=N] [delete=N] [delete-version=N]
//   expect folder mass-delete=N|none
//   expect fork KEY reported|none     whether the engine reported a suspected fork of KEY
//
// Server-specific lines: `VERB@WHERE ... # REASON` runs only on the servers WHERE names
// (comma-separated: local, moto, ceph, or what the server is known to honour: conditional,
// unconditional). The reason is required: a qualified line without a `#` comment saying why
// S3 semantics differ there is an error when the table is parsed. E.g.
//   expect@unconditional index a.txt state=synced  # If-Match ignored: found as a fork
//
// A line starting with # is a comment; an unknown verb is an error when the table is parsed.
import { createCipheriv, createHash } from 'node:crypto';

/** rs-device of the engine under test (`device=ours`) and of the other device (`device=other`). */
export const DEVICE = 'device-scenario-0001';
export const OTHER_DEVICE = 'device-other-0002';
export const REGION = 'us-east-1';
/** Where the engine moves files deleted elsewhere (`expect local PATH in-trash`). */
export const TRASH = '.replica-sync-trash';

export interface Token {
  /** `name` of name=value, or undefined for a plain word / string. */
  name?: string;
  value: string;
  /** The value was a quoted string. */
  quoted: boolean;
}

export interface Step {
  line: number;
  text: string;
  tokens: Token[];
  /** `VERB@WHERE`: the servers (or traits) the step runs on; undefined: everywhere. */
  only?: string[];
  /** Why the step is server-specific (its `#` comment). */
  reason?: string;
}

/** Words a `VERB@WHERE` qualifier may use: servers, and what a server honours. */
export const QUALIFIERS = ['local', 'moto', 'ceph', 'conditional', 'unconditional'] as const;

/** The comment of a line (after a `#` outside quotes), trimmed; '' when there is none. */
export function commentOf(s: string): string {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '#' && !quoted) return s.slice(i + 1).trim();
  }
  return '';
}

export interface Scenario {
  name: string;
  line: number;
  steps: Step[];
}

function readQuoted(s: string, i: number, line: number): [string, number] {
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (c === '"') return [out, j + 1];
    if (c === '\\') {
      const n = s[++j];
      out += n === 'n' ? '\n' : n === 't' ? '\t' : (n ?? '');
    } else out += c;
  }
  throw new Error(`line ${line}: unterminated string`);
}

export function tokenize(s: string, line: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    if (/\s/.test(s[i] as string)) {
      i++;
      continue;
    }
    if (s[i] === '#') break;
    if (s[i] === '"') {
      const [value, next] = readQuoted(s, i, line);
      tokens.push({ value, quoted: true });
      i = next;
      continue;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j] as string) && s[j] !== '=') j++;
    if (s[j] === '=') {
      const name = s.slice(i, j);
      if (s[j + 1] === '"') {
        const [value, next] = readQuoted(s, j + 1, line);
        tokens.push({ name, value, quoted: true });
        i = next;
      } else {
        let k = j + 1;
        while (k < s.length && !/\s/.test(s[k] as string)) k++;
        tokens.push({ name, value: s.slice(j + 1, k), quoted: false });
        i = k;
      }
      continue;
    }
    tokens.push({ value: s.slice(i, j), quoted: false });
    i = j;
  }
  return tokens;
}

const VERBS = new Set([
  'local',
  'remote',
  'sync',
  'sync-start',
  'hold',
  'wait',
  'release',
  'crash-before-index-write',
  'restart',
  'answer',
  'mark',
  'expect',
]);

/** Splits a table into cases; throws on an unknown verb, so a typo cannot pass silently. */
export function parseScenarios(table: string): Scenario[] {
  const out: Scenario[] = [];
  let current: Scenario | undefined;
  table.split('\n').forEach((raw, idx) => {
    const line = idx + 1;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const m = /^case:\s*(.+)$/.exec(text);
    if (m) {
      current = { name: (m[1] as string).trim(), line, steps: [] };
      out.push(current);
      return;
    }
    if (!current) throw new Error(`line ${line}: a step before the first "case:"`);
    const tokens = tokenize(text, line);
    const [verb = '', where] = (tokens[0]?.value ?? '').split('@');
    if (!VERBS.has(verb) || tokens[0]?.name !== undefined)
      throw new Error(`line ${line}: unknown verb "${verb}" in "${text}"`);
    const step: Step = { line, text, tokens };
    if (where !== undefined) {
      const only = where.split(',');
      for (const q of only)
        if (!(QUALIFIERS as readonly string[]).includes(q))
          throw new Error(`line ${line}: "@${q}": a qualifier is one of ${QUALIFIERS.join(', ')}`);
      const reason = commentOf(text);
      if (reason === '')
        throw new Error(`line ${line}: "${verb}@${where}" needs a "# reason" the servers differ`);
      tokens[0] = { value: verb, quoted: false };
      step.only = only;
      step.reason = reason;
    }
    current.steps.push(step);
  });
  const names = new Set<string>();
  for (const s of out) {
    if (names.has(s.name)) throw new Error(`line ${s.line}: case "${s.name}" appears twice`);
    names.add(s.name);
    if (s.steps.length === 0) throw new Error(`line ${s.line}: case "${s.name}" has no steps`);
  }
  return out;
}

// ---------------------------------------------------------------- content

const SIZE = /^(\d+)(B|KiB|MiB)?$/;

/** Deterministic pseudo-random bytes (AES-CTR over zeros). */
export function randomContent(size: number, seed: string): Buffer {
  const key = createHash('sha256').update(`scenario:${seed}`).digest();
  const c = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([c.update(Buffer.alloc(size)), c.final()]);
}

export function content(t: Token | undefined): Buffer {
  if (!t) throw new Error('content expected');
  if (t.quoted) return Buffer.from(t.value, 'utf8');
  const m = /^random:([^:]+):(.+)$/.exec(t.value);
  const s = m ? SIZE.exec(m[1] as string) : null;
  if (!m || !s) throw new Error(`"${t.value}": content is "text" or random:SIZE:SEED`);
  const unit = s[2] === 'MiB' ? 1024 * 1024 : s[2] === 'KiB' ? 1024 : 1;
  return randomContent(Number(s[1]) * unit, m[2] as string);
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export function show(b: Buffer): string {
  return b.length <= 64
    ? JSON.stringify(b.toString('utf8'))
    : `<${b.length} bytes ${sha256(b).slice(0, 12)}>`;
}
