import type { EventName, EventPayloads } from '../contract/index.js';
import { toDisposable, type Disposable } from './disposable.js';

export type EventListener = <E extends EventName>(name: E, payload: EventPayloads[E]) => void;

/** Fan-out of contract events to every connected window or socket. */
export class EventHub {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): Disposable {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  emit<E extends EventName>(name: E, payload: EventPayloads[E]): void {
    for (const listener of [...this.listeners]) listener(name, payload);
  }
}
