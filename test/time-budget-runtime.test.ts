// The figure against the runtime: generated flows, compiled as `callflow run` compiles them, run in
// virtual time (RunOptions.clock) with the jitter forced to its maximum (RunOptions.random). A server
// that never answers makes every attempt time out; one that answers 503 with a long Retry-After makes
// every retry wait the cap. Neither run may take longer than the computed worst case, and each takes
// exactly the part of it that it exercises.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadFlow } from "../dist/loader/load-flow.js";
import { DEFAULT_BUDGET_LIMITS, flowBudget, widgetCost, type BudgetLimits } from "../compiler/time-budget.js";
import type { Flow, Widget } from "../grammar/ast.js";
import type { FetchLike, TraceEvent } from "../runtime/index.js";
import { VirtualClock } from "../testing/virtual-clock.js";

interface HttpChoice {
  readonly retry: number;
  readonly timeoutMs: number | undefined;
  /** Where fail goes: the next widget, or an apology that then ends. */
  readonly failToSorry: boolean;
  readonly onTimeout: boolean;
  readonly on503: boolean;
  /** A condition after this widget that may skip the next one. */
  readonly branch: boolean;
}

const httpChoice: fc.Arbitrary<HttpChoice> = fc.record({
  retry: fc.integer({ min: 0, max: 3 }),
  timeoutMs: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined }),
  failToSorry: fc.boolean(),
  onTimeout: fc.boolean(),
  on503: fc.boolean(),
  branch: fc.boolean(),
});

/** A chain of http widgets, with conditions that may skip one, status exits, and fail exits to an apology. */
function flowSource(widgets: readonly HttpChoice[]): string {
  const lines = ["flow generated {", "  global g: number", "", "  start -> w0"];
  widgets.forEach((w, i) => {
    const next = i + 1 < widgets.length ? `w${i + 1}` : "done";
    const after = w.branch ? `c${i}` : next;
    lines.push(`  http w${i} {`, "    method GET", `    url "https://api.example.com/${i}"`);
    if (w.retry > 0) lines.push(`    retry ${w.retry}`);
    if (w.timeoutMs !== undefined) lines.push(`    timeout ${w.timeoutMs}ms`);
    if (w.onTimeout) lines.push(`    on timeout -> ${after}`);
    if (w.on503) lines.push(`    on 503 -> ${next}`);
    lines.push(`    success -> ${after}`, `    fail -> ${w.failToSorry ? "sorry" : after}`, "  }");
    if (w.branch) {
      const skip = i + 2 < widgets.length ? `w${i + 2}` : "done";
      lines.push(`  condition c${i} {`, `    when g > ${i} -> ${skip}`, `    else -> ${next}`, "  }");
    }
  });
  lines.push("  send sorry {", '    message "Sorry."', "    next -> done", "  }", "  end done", "}", "");
  return lines.join("\n");
}

/** Never answers: each attempt runs until its timeout aborts it. */
const silent = (): FetchLike => (_url, init) =>
  new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(new Error("aborted"))));

const throttled = {
  status: 503,
  headers: { get: (name: string) => (name === "retry-after" ? "3600" : name === "content-length" ? "0" : null) },
  body: null,
  text: () => Promise.resolve(""),
};

/** Answers at once with 503 and a Retry-After far over the cap. */
const busy = (): FetchLike => () => Promise.resolve(throttled);

/**
 * Answers the same, 1 ms before the attempt would time out (`timeoutOf` the URL): the worst case to the
 * millisecond, since an answer at the timeout itself loses to the timeout's own timer.
 */
const slowAndBusy =
  (timeoutOf: (url: string) => number) =>
  (clock: VirtualClock): FetchLike =>
  (url) =>
    new Promise((resolve) => clock.setTimeout(() => resolve(throttled), timeoutOf(url) - 1));

// The largest value below 1: backoff jitter at its maximum.
const MAX_JITTER = (): number => 1 - 2 ** -53;

/** Runs a flow in virtual time; returns the time it took and the widgets it ran, in order. */
async function runVirtually(
  source: string,
  g: number,
  fetchOf: (clock: VirtualClock) => FetchLike,
): Promise<{ ms: number; ran: string[] }> {
  const { loaded, diagnostics } = await loadFlow(source, "generated.flow");
  if (loaded === undefined) throw new Error(JSON.stringify(diagnostics));
  const clock = new VirtualClock();
  const fetch = fetchOf(clock);
  const ran: string[] = [];
  const onEvent = (e: TraceEvent<string>): void => {
    if (e.type === "step.start") ran.push(e.widget);
  };
  let done = false;
  const running = loaded.run({ g }, { transport: fetch, clock, random: MAX_JITTER, onEvent });
  void running.then(() => (done = true));
  while (!done) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!done && !clock.advance()) throw new Error("the run waits on something that is not a timer");
  }
  await running;
  return { ms: clock.now(), ran };
}

function widgetsRun(flow: Flow, ran: readonly string[]): Widget[] {
  return ran.map((name) => flow.widgets.find((w) => w.id.name === name)!);
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

describe("time budgets against the runtime", () => {
  it("no run takes longer than the worst case; each takes exactly the part it exercises", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(httpChoice, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 4 }),
        async (choices, g) => {
          const source = flowSource(choices);
          const { loaded } = await loadFlow(source, "generated.flow");
          const flow = loaded!.ast;
          const budget = flowBudget(flow);

          // Every attempt times out and every wait is the backoff at full jitter (no Retry-After).
          const timedOut = await runVirtually(source, g, silent);
          const backoffOnly: BudgetLimits = { ...DEFAULT_BUDGET_LIMITS, retryAfterCapMs: 0 };
          const onPath = widgetsRun(flow, timedOut.ran);
          expect(timedOut.ms).toBe(sum(onPath.map((w) => widgetCost(w, backoffOnly)?.worstMs ?? 0)));
          expect(timedOut.ms).toBeLessThanOrEqual(budget.worstMs);
          expect(timedOut.ms).toBeLessThanOrEqual(budget.byWidget.get(timedOut.ran.at(-1)!)!.throughMs);

          // Every retry waits the Retry-After cap; the answers themselves take no time.
          const throttledRun = await runVirtually(source, g, busy);
          const waits = widgetsRun(flow, throttledRun.ran).map((w) => sum(widgetCost(w)?.waitsMs ?? []));
          expect(throttledRun.ms).toBe(sum(waits));
          expect(throttledRun.ms).toBeLessThanOrEqual(budget.worstMs);

          // Every attempt takes all but 1 ms of its timeout and then waits the cap: the worst case, to the ms.
          const timeoutOf = (url: string): number =>
            choices[Number(url.split("/").at(-1))]!.timeoutMs ?? DEFAULT_BUDGET_LIMITS.timeoutMs;
          const worst = await runVirtually(source, g, slowAndBusy(timeoutOf));
          const costs = widgetsRun(flow, worst.ran).flatMap((w) => {
            const cost = widgetCost(w);
            return cost === undefined ? [] : [cost.worstMs - cost.attempts];
          });
          expect(worst.ms).toBe(sum(costs));
          expect(worst.ms).toBeLessThanOrEqual(budget.byWidget.get(worst.ran.at(-1)!)!.throughMs);
        },
      ),
      { numRuns: 40 },
    );
  });
});
