// Per-attempt timeouts on one shared timer per duration. Attempts with the same timeout start
// in order, so their deadlines fall in order: a FIFO queue whose head is always the next to
// expire. Arming and clearing a Node timer for every attempt cost more than the rest of the
// attempt's own bookkeeping (bench/README.md); here an attempt costs a push and a flag.
//
// The shared timer keeps the process alive only while some attempt is pending; when none is,
// it is unref'd and, once it fires with nothing left, dropped, so no timer outlives a run.
import { performance } from "node:perf_hooks";
import { realClock, type Clock } from "./clock.js";

/** What a deadline calls when it passes: an object rather than a closure, one fewer allocation per attempt. */
export interface DeadlineTarget {
  expire(): void;
}

export interface Deadline {
  /** Told once when the deadline passes unless `clearDeadline` came first; unset once settled. */
  target: DeadlineTarget | undefined;
  readonly at: number;
  readonly queue: { settle(entry: Deadline): void };
}

const queues = new Map<number, DeadlineQueue>();

/**
 * Calls `target.expire()` after `ms` milliseconds unless the deadline is cleared first. An
 * injected clock (RunOptions.clock) gets one timer of its own per deadline.
 */
export function startDeadline(ms: number, target: DeadlineTarget, clock: Clock = realClock): Deadline {
  if (clock !== realClock) return new ClockDeadline(ms, target, clock);
  let queue = queues.get(ms);
  if (queue === undefined) {
    queue = new DeadlineQueue(ms);
    queues.set(ms, queue);
  }
  return queue.add(target);
}

export function clearDeadline(deadline: Deadline): void {
  deadline.queue.settle(deadline);
}

/** Settled entries at the head are dropped at once; the array is compacted when they pile up behind a slow one. */
const COMPACT_AT = 1024;

class DeadlineQueue {
  readonly #ms: number;
  #entries: Deadline[] = [];
  #head = 0;
  #pending = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  add(target: DeadlineTarget): Deadline {
    const entry: Deadline = { target, at: performance.now() + this.#ms, queue: this };
    this.#entries.push(entry);
    if (this.#pending++ === 0) {
      if (this.#timer === undefined) this.#timer = setTimeout(this.#fire, this.#ms);
      else this.#timer.ref();
    }
    return entry;
  }

  settle(entry: Deadline): void {
    if (entry.target === undefined) return;
    entry.target = undefined;
    if (--this.#pending === 0) this.#timer?.unref();
    this.#dropSettled();
  }

  #dropSettled(): void {
    const entries = this.#entries;
    while (this.#head < entries.length && entries[this.#head]!.target === undefined) this.#head++;
    if (this.#head === entries.length) {
      entries.length = 0;
      this.#head = 0;
    } else if (this.#head >= COMPACT_AT && this.#head * 2 >= entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    // Fields are re-read each time round: an expiry can settle other entries re-entrantly.
    for (;;) {
      const entry = this.#entries[this.#head];
      // Node's timer clock may run a fraction of a millisecond behind performance.now().
      if (entry === undefined || entry.at > now + 1) break;
      this.#head++;
      const target = entry.target;
      if (target === undefined) continue;
      entry.target = undefined;
      this.#pending--;
      target.expire();
    }
    this.#dropSettled();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const next = this.#entries[this.#head];
    if (next === undefined) {
      this.#timer = undefined;
      queues.delete(this.#ms);
      return;
    }
    this.#timer = setTimeout(this.#fire, Math.max(1, Math.ceil(next.at - now)));
    if (this.#pending === 0) this.#timer.unref();
  };
}

/** A deadline on an injected clock: a plain timer, settled by clearing it. */
class ClockDeadline implements Deadline {
  target: DeadlineTarget | undefined;
  readonly at: number;
  readonly #handle: unknown;
  readonly #clock: Clock;

  constructor(ms: number, target: DeadlineTarget, clock: Clock) {
    this.target = target;
    this.at = clock.now() + ms;
    this.#clock = clock;
    this.#handle = clock.setTimeout(() => {
      const pending = this.target;
      this.target = undefined;
      pending?.expire();
    }, ms);
  }

  get queue(): { settle(entry: Deadline): void } {
    return this;
  }

  settle(): void {
    if (this.target === undefined) return;
    this.target = undefined;
    this.#clock.clearTimeout(this.#handle);
  }
}
