// A run clock for tests against real servers. While an HTTP attempt is in flight, time runs at
// real speed (the attempt's timeout is a real timer, so a real request is never timed out by a
// jump); between attempts the run waits on nothing but its own timers, so time jumps straight
// to the next one. Retry waits then take no real time, yet still show in the clock's readings.
import { performance } from "node:perf_hooks";
import type { Clock } from "../../runtime/index.js";
import type { TraceEvent } from "../../runtime/trace.js";

interface Timer {
  readonly at: number;
  readonly fn: () => void;
  readonly real: ReturnType<typeof setTimeout>;
}

export class SkipClock implements Clock {
  #skipped = 0;
  #inFlight = 0;
  #jumpQueued = false;
  readonly #timers = new Set<Timer>();

  /** Milliseconds of virtual time jumped over, on top of the real time that passed. */
  get skippedMs(): number {
    return this.#skipped;
  }

  now(): number {
    return performance.now() + this.#skipped;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: Timer = {
      at: this.now() + Math.max(0, ms),
      fn,
      real: setTimeout(() => this.#fire(timer), Math.max(0, ms)),
    };
    this.#timers.add(timer);
    this.#queueJump();
    return timer;
  }

  clearTimeout(handle: unknown): void {
    const timer = handle as Timer;
    clearTimeout(timer.real);
    this.#timers.delete(timer);
  }

  /** Give this as RunOptions.onEvent: attempt events tell when a real request is in flight. */
  readonly onEvent = (event: TraceEvent<string>): void => {
    if (event.type === "http.attempt.start") this.#inFlight++;
    else if (event.type === "http.attempt.end") {
      this.#inFlight--;
      this.#queueJump();
    }
  };

  #fire(timer: Timer): void {
    if (!this.#timers.delete(timer)) return;
    clearTimeout(timer.real);
    timer.fn();
  }

  /** After the current turn (the run may still be arming or clearing timers), jumps if nothing real is pending. */
  #queueJump(): void {
    if (this.#jumpQueued) return;
    this.#jumpQueued = true;
    setImmediate(() => {
      this.#jumpQueued = false;
      if (this.#inFlight > 0) return;
      let next: Timer | undefined;
      for (const timer of this.#timers) if (next === undefined || timer.at < next.at) next = timer;
      if (next === undefined) return;
      this.#skipped += Math.max(0, next.at - this.now());
      this.#fire(next);
      this.#queueJump();
    });
  }
}
