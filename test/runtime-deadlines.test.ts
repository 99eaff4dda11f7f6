// The shared per-duration timer behind attempt timeouts: deadlines fire once, in order, never
// after being cleared, and no ref'd timer is left once none is pending.
import { describe, expect, it } from "vitest";
import { clearDeadline, startDeadline, type Deadline } from "../runtime/deadlines.js";

const refTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function recorder(): { fired: string[]; target: (name: string) => { expire(): void } } {
  const fired: string[] = [];
  return { fired, target: (name) => ({ expire: () => fired.push(name) }) };
}

describe("deadlines", () => {
  it("fires pending deadlines in order, after their time, and never a cleared one", async () => {
    const { fired, target } = recorder();
    const started = performance.now();
    startDeadline(40, target("a"));
    const b = startDeadline(40, target("b"));
    await sleep(10);
    startDeadline(40, target("c"));
    clearDeadline(b);
    await sleep(30);
    // "a" may or may not have fired yet at ~40 ms; "c" started 10 ms later cannot have.
    expect(fired).not.toContain("c");
    await sleep(60);
    expect(fired).toEqual(["a", "c"]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
  });

  it("fires each deadline once, even when cleared after it fired", async () => {
    const { fired, target } = recorder();
    const d = startDeadline(5, target("once"));
    await sleep(30);
    clearDeadline(d);
    clearDeadline(d);
    await sleep(20);
    expect(fired).toEqual(["once"]);
  });

  it("keeps durations apart: a short deadline is not held up behind a long one", async () => {
    const { fired, target } = recorder();
    const long = startDeadline(10_000, target("long"));
    startDeadline(10, target("short"));
    await sleep(60);
    expect(fired).toEqual(["short"]);
    clearDeadline(long);
  });

  it("lets an expiry clear other deadlines of the same queue", async () => {
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
    await sleep(80);
    expect(fired).toEqual(["first", "third"]);
  });

  it("leaves no ref'd timer once nothing is pending, however many deadlines came and went", async () => {
    const before = refTimers();
    const { fired, target } = recorder();
    const deadlines = Array.from({ length: 5000 }, (_, i) => startDeadline(1000, target(String(i))));
    expect(refTimers()).toBe(before + 1); // one shared timer, not one per deadline
    for (const d of deadlines) clearDeadline(d);
    expect(refTimers()).toBe(before);
    await sleep(10);
    expect(fired).toEqual([]);
  });
});
