import type { ActivityEntry, ActivityLevel } from '../../contract/index.js';

/** A bounded in-memory log of what happened, newest last. */
export class ActivityLog {
  private readonly entries: ActivityEntry[] = [];
  private nextId = 1;

  constructor(
    private readonly capacity = 1000,
    private readonly onEntry: (entry: ActivityEntry) => void = () => {},
  ) {}

  add(level: ActivityLevel, message: string): ActivityEntry {
    const entry: ActivityEntry = {
      id: this.nextId++,
      time: new Date().toISOString(),
      level,
      message,
    };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
    this.onEntry(entry);
    return entry;
  }

  list(limit = 200): ActivityEntry[] {
    return this.entries.slice(-limit).reverse();
  }
}
