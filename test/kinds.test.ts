// The facts of each widget kind are the description's (grammar/language.ts): whether it ends the run
// (checked against the runtime's STEP_KINDS), whether it acts outside the run, how it prints, and which
// step field each exit fills. Each test reads the fact from the description and checks what a tool does with it.
import { describe, expect, expectTypeOf, it } from "vitest";
import { loadFlow } from "../dist/loader/load-flow.js";
import type { Exit } from "../grammar/ast.js";
import { isTerminal, START_EXIT, WIDGET_SPECS, type WidgetSpec } from "../grammar/language.js";
import { formatSource } from "../grammar/printer.js";
import { checkSource } from "../compiler/check.js";
import { STEP_KINDS, type StepKind } from "../runtime/contract.js";
import type { Step, Vars } from "../runtime/flow.js";
import { assignmentsOf, branchesOf, statusExitsOf } from "../grammar/widgets.js";
import { parse } from "../grammar/parse.js";
import { readRepoFile } from "./compile-helpers.js";

/** A widget `w` of each kind that can sit in a loop, going on to `back`. */
const LOOPING: Readonly<Record<string, string>> = {
  http: 'http w { method GET url "https://api.example" success -> back fail -> back }',
  condition: "condition w { when n > 1 -> back else -> back }",
  set: "set w { n = 1 next -> back }",
  send: 'send w { message "m" next -> back }',
};

describe("widget kinds", () => {
  it("end the run exactly where the runtime's step kinds do", () => {
    expect(new Set(WIDGET_SPECS.map((w) => w.step))).toEqual(new Set(Object.keys(STEP_KINDS)));
    for (const spec of WIDGET_SPECS)
      expect(isTerminal(spec), spec.keyword).toBe(STEP_KINDS[spec.step as StepKind].terminal);
    expectTypeOf<Step<Vars, string, string>["kind"]>().toEqualTypeOf<StepKind>();
  });

  it("warn of a loop with nothing that acts outside the run, from each kind's effect", () => {
    const loopable = WIDGET_SPECS.filter((w) => !isTerminal(w));
    expect(loopable.map((w) => w.keyword).sort()).toEqual(Object.keys(LOOPING).sort());
    for (const spec of loopable) {
      const source = `flow f {
        local n: number = 0
        start -> w
        ${LOOPING[spec.keyword]}
        condition back { when n > 0 -> done else -> w }
        end done
      }`;
      const { diagnostics } = checkSource(source, "loop.flow");
      expect(
        diagnostics.filter((d) => d.severity === "error"),
        spec.keyword,
      ).toEqual([]);
      const warning = diagnostics.find((d) => d.code === "CF2036");
      expect(warning !== undefined, spec.keyword).toBe(!spec.effect);
      if (warning !== undefined) expect(warning.message).toContain("with no http or send step");
    }
  });

  it("print as their layout says, empty and with one short setting", () => {
    const printed = (widget: string) =>
      formatSource(`flow f {\n  start -> w\n  ${widget}\n}\n`, "f.flow").text?.split("\n").slice(3, -2).join("\n");
    for (const spec of WIDGET_SPECS) {
      expect(printed(`${spec.keyword} w {}`), spec.keyword).toBe(
        spec.layout === "bare" ? `  ${spec.keyword} w` : `  ${spec.keyword} w {}`,
      );
      const setting = spec.settings[0];
      if (setting === undefined) continue;
      expect(printed(`${spec.keyword} w {\n${setting.example}\n}`), spec.keyword).toBe(
        spec.layout === "inline"
          ? `  ${spec.keyword} w { ${setting.example} }`
          : `  ${spec.keyword} w {\n    ${setting.example}\n  }`,
      );
    }
  });

  it("fill the step field each exit names", async () => {
    const { loaded } = await loadFlow(readRepoFile("test/fixtures/contract.flow"), "contract.flow");
    const definition = loaded!.definition;
    expect(new Set(loaded!.ast.widgets.map((w) => w.kind))).toEqual(new Set(WIDGET_SPECS.map((w) => w.kind)));
    expect((definition as unknown as Record<string, unknown>)[START_EXIT.field]).toBe(loaded!.ast.start?.target.name);
    for (const widget of loaded!.ast.widgets) {
      const spec = WIDGET_SPECS.find((w) => w.kind === widget.kind) as WidgetSpec;
      const step = definition.steps[widget.id.name] as unknown as Readonly<Record<string, unknown>>;
      const exits: Readonly<Record<string, Exit | undefined>> = widget.exits;
      for (const exit of spec.exits) expect(step[exit.field], exit.label).toBe(exits[exit.label]?.target.name);
    }
  });

  it("hold the entries their description names, read without a test of the kind", () => {
    const flow = parse(readRepoFile("examples/order-routing.flow"), "order-routing.flow").flow!;
    const found = new Set<string>();
    for (const widget of [
      ...flow.widgets,
      ...parse(readRepoFile("test/fixtures/contract.flow"), "c.flow").flow!.widgets,
    ]) {
      const entries = WIDGET_SPECS.find((w) => w.kind === widget.kind)?.entries;
      const held = {
        branches: branchesOf(widget),
        assignments: assignmentsOf(widget),
        statusExits: statusExitsOf(widget),
      };
      for (const [name, list] of Object.entries(held)) {
        if (name !== entries) expect(list, `${widget.id.name} ${name}`).toEqual([]);
        else if (list.length > 0) found.add(name);
      }
    }
    expect([...found].sort()).toEqual(["assignments", "branches", "statusExits"]);
  });
});
