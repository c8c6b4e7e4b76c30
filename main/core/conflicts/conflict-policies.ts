// The per-folder automatic conflict policy, kept in a small JSON file (never by default).
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { ConflictPolicy } from '../../contract/index.js';

export class PolicyFile {
  private policies: Record<string, ConflictPolicy>;

  constructor(private readonly file: string) {
    try {
      this.policies = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, ConflictPolicy>;
    } catch {
      this.policies = {};
    }
  }

  get(folderId: string): ConflictPolicy {
    return this.policies[folderId] ?? 'ask';
  }

  set(folderId: string, policy: ConflictPolicy): void {
    this.policies[folderId] = policy;
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.policies, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
