// The shared per-duration timer behind attempt timeouts: deadlines fire once, in order, never
// after being cleared, and no ref'd timer is left once none is pending. Time is virtual (fake
// timers) except where real Node timers are counted.
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearDeadline, startDeadline, type Deadline } from "../runtime/deadlines.js";

const refTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

function recorder(): { fired: string[]; target: (name: string) => { expire(): void } } {
  const fired: string[] = [];
  return { fired, target: (name) => ({ expire: () => fired.push(name) }) };
}

/**
 * Fake timers, with performance.now() following them. deadlines.ts holds node:perf_hooks'
 * `performance` (the global object), which faking "performance" would replace rather than change.
 */
function virtualTime(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: 0 });
  vi.spyOn(performance, "now").mockImplementation(() => Date.now());
}

afterEach(() => {
  if (!vi.isFakeTimers()) return;
  // Lets every queue a test left behind fire and drop itself, so none outlives its fake timer.
  vi.runAllTimers();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("deadlines", () => {
  it("fires pending deadlines in order, at their time, and never a cleared one", () => {
    virtualTime();
    const { fired, target } = recorder();
    startDeadline(40, target("a"));
    const b = startDeadline(40, target("b"));
    vi.advanceTimersByTime(10);
    startDeadline(40, target("c"));
    clearDeadline(b);
    vi.advanceTimersByTime(29);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1); // 40 ms: "a" is due, "c" (started at 10 ms) is not
    expect(fired).toEqual(["a"]);
    vi.advanceTimersByTime(9);
    expect(fired).toEqual(["a"]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["a", "c"]);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual(["a", "c"]);
  });

  it("fires each deadline once, even when cleared after it fired", () => {
    virtualTime();
    const { fired, target } = recorder();
    const d = startDeadline(5, target("once"));
    vi.advanceTimersByTime(5);
    expect(fired).toEqual(["once"]);
    clearDeadline(d);
    clearDeadline(d);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(["once"]);
  });

  it("keeps durations apart: a short deadline is not held up behind a long one", () => {
    virtualTime();
    const { fired, target } = recorder();
    const long = startDeadline(10_000, target("long"));
    startDeadline(10, target("short"));
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(["short"]);
    clearDeadline(long);
  });

  it("lets an expiry clear other deadlines of the same queue", () => {
    virtualTime();
    const fired: string[] = [];
    let second: Deadline | undefined;
    startDeadline(15, {
      expire: () => {
        fired.push("first");
        if (second) clearDeadline(second);
      },
    });
    second = startDeadline(15, { expire: () => fired.push("second") });
    startDeadline(15, { expire: () => fired.push("third") });
    vi.advanceTimersByTime(15);
    expect(fired).toEqual(["first", "third"]);
  });

  it("leaves no ref'd timer once nothing is pending, however many deadlines came and went", () => {
    const before = refTimers();
    const { fired, target } = recorder();
    const deadlines = Array.from({ length: 5000 }, (_, i) => startDeadline(1000, target(String(i))));
    expect(refTimers()).toBe(before + 1); // one shared timer, not one per deadline
    for (const d of deadlines) clearDeadline(d);
    expect(refTimers()).toBe(before);
    expect(fired).toEqual([]);
  });
});
