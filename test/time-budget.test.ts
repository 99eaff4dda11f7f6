// The worst case of each path, construct by construct, with the numbers read from the runtime's contract.
import { describe, expect, it } from "vitest";
import { checkSource } from "../compiler/check.js";
import {
  DEFAULT_BUDGET_LIMITS,
  deadlineDiagnostics,
  describePath,
  describeWidgetBudget,
  flowBudget,
  formatDuration,
  pathsOver,
  raisedBudgets,
  widgetCost,
} from "../compiler/time-budget.js";
import type { Flow } from "../grammar/ast.js";
import { HTTP_STEP, RETRY_WAITS, backoffCeilingMs } from "../runtime/contract.js";

function flowOf(body: string): Flow {
  const checked = checkSource(`flow f {\n  global g: number\n${body}\n}\n`, "f.flow");
  expect(checked.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return checked.flow!;
}

const http = (name: string, settings: string, exits: string): string =>
  `  http ${name} {\n    method GET\n    url "https://api.example.com/x"\n${settings}\n${exits}\n  }`;

// The longest wait before a retry: a Retry-After at the cap, or the backoff when that is longer.
const wait = (attempt: number): number =>
  Math.max(
    RETRY_WAITS.retryAfterCapMs,
    backoffCeilingMs(attempt, RETRY_WAITS.retryBaseDelayMs, RETRY_WAITS.retryMaxDelayMs),
  );

describe("time budgets", () => {
  it("costs an http widget its attempts × timeout plus the longest wait before each retry", () => {
    const flow = flowOf(
      `  start -> a\n${http("a", "    retry 3\n    timeout 5s", "    success -> done\n    fail -> done")}\n  end done`,
    );
    const cost = widgetCost(flow.widgets[0]!)!;
    expect(cost.attempts).toBe(4);
    expect(cost.waitsMs).toEqual([wait(1), wait(2), wait(3)]);
    expect(cost.worstMs).toBe(4 * 5000 + wait(1) + wait(2) + wait(3));
    expect(flowBudget(flow).worstMs).toBe(cost.worstMs);
  });

  it("takes the contract's default timeout and no retry when a widget sets neither", () => {
    const flow = flowOf(`  start -> a\n${http("a", "", "    success -> done\n    fail -> done")}\n  end done`);
    expect(widgetCost(flow.widgets[0]!)).toEqual({
      attempts: HTTP_STEP.retry.default + 1,
      timeoutMs: HTTP_STEP.timeoutMs.default,
      waitsMs: [],
      worstMs: HTTP_STEP.timeoutMs.default,
    });
  });

  it("reads a retry count outside the contract within its bounds, so a flow with that error still has figures", () => {
    const source = `flow f {\n  start -> a\n${http("a", "    retry 1000000000\n    timeout 1s", "    success -> done\n    fail -> done")}\n  end done\n}\n`;
    const checked = checkSource(source, "f.flow");
    expect(checked.diagnostics.map((d) => d.code)).toContain("CF2013");
    expect(widgetCost(checked.flow!.widgets[0]!)!.attempts).toBe(HTTP_STEP.retry.max + 1);
  });

  it("uses the backoff where it is longer than the Retry-After cap", () => {
    const flow = flowOf(
      `  start -> a\n${http("a", "    retry 3\n    timeout 1s", "    success -> done\n    fail -> done")}\n  end done`,
    );
    const limits = { ...DEFAULT_BUDGET_LIMITS, retryAfterCapMs: 0, retryBaseDelayMs: 1000, retryMaxDelayMs: 3000 };
    expect(widgetCost(flow.widgets[0]!, limits)!.waitsMs).toEqual([1000, 2000, 3000]);
  });

  it("adds up widgets along a path and takes the slowest branch of a condition", () => {
    const flow = flowOf(
      [
        "  start -> c",
        "  condition c {\n    when g > 1 -> slow\n    else -> fast\n  }",
        http("slow", "    retry 1\n    timeout 2s", "    success -> last\n    fail -> done"),
        http("fast", "    timeout 1s", "    success -> last\n    fail -> done"),
        http("last", "    timeout 3s", "    success -> done\n    fail -> done"),
        "  end done",
      ].join("\n"),
    );
    const budget = flowBudget(flow);
    const slow = 2 * 2000 + wait(1);
    expect(budget.worstMs).toBe(slow + 3000);
    expect(budget.byWidget.get("last")!.reachMs).toBe(slow);
    expect(budget.byWidget.get("fast")!.throughMs).toBe(1000 + 3000);
    // `done` is reached from slow's fail exit too, but the worst way there runs through `last`.
    expect(budget.byWidget.get("done")!.reachMs).toBe(slow + 3000);
    const over = pathsOver(budget, 4000);
    expect(over.map(describePath)).toEqual(["start → c → slow → last → done", "start → c → slow → done"]);
    expect(over.map((p) => p.worstMs)).toEqual([slow + 3000, slow]);
  });

  it("follows status exits and the fail exit as paths of their own", () => {
    const flow = flowOf(
      [
        "  start -> a",
        http(
          "a",
          "    timeout 2s",
          "    on 404 -> lookup\n    on timeout -> done\n    success -> done\n    fail -> sorry",
        ),
        http("lookup", "    timeout 3s", "    success -> done\n    fail -> done"),
        http("sorry", "    timeout 4s", "    success -> done\n    fail -> done"),
        "  end done",
      ].join("\n"),
    );
    const over = pathsOver(flowBudget(flow), 2000);
    expect(over.map((p) => [describePath(p), p.worstMs, p.slowest?.id.name])).toEqual([
      ["start → a → lookup → done", 5000, "lookup"],
      ["start → a → sorry → done", 6000, "sorry"],
    ]);
  });

  it("calls a loop that makes requests unbounded, and a loop without one free", () => {
    const looping = flowOf(
      [
        "  start -> poll",
        http("poll", "    timeout 1s", "    success -> wait_more\n    fail -> done"),
        "  condition wait_more {\n    when g > 1 -> poll\n    else -> done\n  }",
        "  end done",
      ].join("\n"),
    );
    const budget = flowBudget(looping);
    expect(budget.worstMs).toBe(Infinity);
    expect(budget.byWidget.get("done")!.reachMs).toBe(Infinity);
    const [path] = pathsOver(budget, 8000);
    expect(describePath(path!)).toBe("start → poll → wait_more → poll");
    expect(path!.loop!.map((w) => w.id.name)).toEqual(["poll", "wait_more"]);
    expect(describeWidgetBudget(budget, "poll")).toContain("Worst case of a path through it: unbounded");

    const counting = flowOf(
      [
        "  start -> count",
        "  set count {\n    g = 1\n    next -> again\n  }",
        "  condition again {\n    when g > 1 -> count\n    else -> call\n  }",
        http("call", "    timeout 1s", "    success -> done\n    fail -> done"),
        "  end done",
      ].join("\n"),
    );
    expect(flowBudget(counting).worstMs).toBe(1000);
    expect(pathsOver(flowBudget(counting), 500).map(describePath)).toEqual(["start → count → again → call → done"]);
  });

  it("warns on the slowest widget of each path over a deadline, naming the deadline and the others", () => {
    const flow = flowOf(
      [
        "  start -> a",
        http("a", "    timeout 2s", "    success -> b\n    fail -> done"),
        http("b", "    retry 1\n    timeout 3s", "    success -> done\n    fail -> done"),
        "  end done",
      ].join("\n"),
    );
    const total = 2000 + 2 * 3000 + wait(1);
    const [warning, ...rest] = deadlineDiagnostics(flow, { ms: 8000, source: "--deadline 8s" });
    expect(rest).toEqual([]);
    expect(warning!.code).toBe("CF2046");
    expect(warning!.severity).toBe("warning");
    expect(warning!.message).toBe(
      `Path start → a → b → done can take ${formatDuration(total)}, over the 8 s deadline (--deadline 8s); 'b' contributes most (${formatDuration(total - 2000)}).`,
    );
    expect(warning!.span).toEqual(flow.widgets[1]!.id.span);
    expect(warning!.related?.map((r) => r.message)).toEqual(["'a' can take 2 s"]);
    expect(deadlineDiagnostics(flow, { ms: total, source: "x" })).toEqual([]);
  });

  it("lists the ends whose worst case a change raised", () => {
    const before = flowOf(
      `  start -> a\n${http("a", "    timeout 2s", "    success -> done\n    fail -> done")}\n  end done`,
    );
    const after = flowOf(
      `  start -> a\n${http("a", "    retry 2\n    timeout 2s", "    success -> done\n    fail -> done")}\n  end done`,
    );
    expect(raisedBudgets(flowBudget(before), flowBudget(after))).toEqual([
      { end: "done", beforeMs: 2000, afterMs: 3 * 2000 + wait(1) + wait(2) },
    ]);
    expect(raisedBudgets(flowBudget(after), flowBudget(before))).toEqual([]);
  });

  it("walks a flow thousands of widgets deep without recursion", () => {
    const n = 5000;
    const widgets = Array.from({ length: n }, (_, i) =>
      http(`w${i}`, "    timeout 1ms", `    success -> ${i + 1 < n ? `w${i + 1}` : "done"}\n    fail -> done`),
    );
    const flow = flowOf(`  start -> w0\n${widgets.join("\n")}\n  end done`);
    expect(flowBudget(flow).worstMs).toBe(n);
    expect(pathsOver(flowBudget(flow), n - 1)).toHaveLength(1);
  });
});
