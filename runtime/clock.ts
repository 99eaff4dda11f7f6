// The run's clock: where time is read and where waits are scheduled. The default is the real
// one; a test runner injects a virtual clock (RunOptions.clock) so timeouts, backoff and
// Retry-After waits advance simulated time instead of waiting.
import { performance } from "node:perf_hooks";

/** Time and timers as a run uses them. Handles are opaque: whatever `setTimeout` returned. */
export interface Clock {
  /** Monotonic milliseconds, as `performance.now()`. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds of this clock's time. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Stops a timer `setTimeout` returned that has not fired yet. */
  clearTimeout(handle: unknown): void;
}

/** performance.now() and Node's timers; attempt deadlines keep their shared timers (deadlines.ts). */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
