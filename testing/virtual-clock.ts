// Virtual time for flow tests: the runtime schedules its waits here (RunOptions.clock), and the
// runner moves time straight to the next timer whenever the run has nothing else to do.
import type { Clock } from "../runtime/index.js";

interface Timer {
  readonly at: number;
  /** Creation order, so timers due at the same time fire in the order they were set. */
  readonly seq: number;
  readonly fn: () => void;
}

export class VirtualClock implements Clock {
  #now = 0;
  #seq = 0;
  readonly #timers = new Set<Timer>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as Timer);
  }

  /** Moves time to the earliest pending timer and fires it; false when none is pending. */
  advance(): boolean {
    let next: Timer | undefined;
    for (const timer of this.#timers)
      if (next === undefined || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq)) next = timer;
    if (next === undefined) return false;
    this.#timers.delete(next);
    this.#now = next.at;
    next.fn();
    return true;
  }
}

/** A seeded generator in [0, 1) (mulberry32), so a test's jitter is the same on every run. */
export function seededRandom(seedText: string): () => number {
  let seed = 2166136261;
  for (let i = 0; i < seedText.length; i++) seed = Math.imul(seed ^ seedText.charCodeAt(i), 16777619);
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
