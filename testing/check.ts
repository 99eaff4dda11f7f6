// Checks a test file against its flow: mocks name http widgets, expectations name widgets and
// variables the flow has, and values have the declared types. What `callflow check` reports
// for a .flowtest file, with the catalogue's CF3xxx codes.
import type { Flow, Value, VarDecl, Widget } from "../grammar/ast.js";
import { diagnostic, type Diagnostic } from "../grammar/diagnostics.js";
import type { FlowTestFile, TestCase } from "../grammar/flowtest-ast.js";
import { specOf } from "../grammar/widgets.js";
import { VAR_TYPES, type VarType } from "../runtime/contract.js";
import { toStored } from "../runtime/types.js";
import { firstNonLiteral, jsonOf } from "./values.js";

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/**
 * Whether a JSON value fits a variable type of the runtime's contract (an email's form, a
 * currency's cents), as a result would: a date_time from ISO 8601 with an offset or Unix seconds.
 */
function fits(value: unknown, type: string): boolean {
  return (VAR_TYPES as readonly string[]).includes(type) && toStored(value, type as VarType) !== undefined;
}

export function checkFlowTest(file: FlowTestFile, flow: Flow): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const widgets = new Map<string, Widget>(flow.widgets.map((w) => [w.id.name, w]));
  const variables = new Map<string, VarDecl>();
  const secrets = new Set<string>();
  for (const decl of flow.declarations)
    if (decl.kind === "VarDecl") variables.set(decl.name.name, decl);
    else secrets.add(decl.name.name);
  const flowName = flow.id.name;

  const value = (v: Value, what: string, decl: VarDecl | undefined): void => {
    const name = firstNonLiteral(v);
    if (name !== undefined) {
      const what = name.kind === "SecretRef" ? "a secret reference" : "a name";
      diagnostics.push(diagnostic("testValueNotLiteral", name.span, [what]));
      return;
    }
    const json = jsonOf(v);
    if (decl !== undefined && !fits(json, decl.type.name))
      diagnostics.push(
        diagnostic("testValueTypeMismatch", v.span, [what, kindOf(json), decl.name.name, decl.type.name]),
      );
  };
  const widget = (name: { name: string; span: import("../grammar/ast.js").Span }, needsHttp?: string): void => {
    const found = widgets.get(name.name);
    if (found === undefined) {
      const hint = `the widgets of ${flowName}: ${[...widgets.keys()].join(", ")}`;
      diagnostics.push(diagnostic("unknownTestWidget", name.span, [name.name], hint));
    } else if (needsHttp !== undefined && found.kind !== "HttpWidget") {
      diagnostics.push(diagnostic("notHttpWidget", name.span, [name.name, specOf(found).keyword, needsHttp]));
    }
  };

  const names = new Set<string>();
  for (const test of file.tests) {
    if (names.has(test.name.value))
      diagnostics.push(diagnostic("duplicateTestName", test.name.span, [JSON.stringify(test.name.value)]));
    names.add(test.name.value);
    checkTest(test);
  }
  return diagnostics;

  function checkTest(test: TestCase): void {
    const mocked = new Set<string>();
    for (const item of test.items) {
      switch (item.kind) {
        case "InputBlock":
          for (const entry of item.entries) {
            const name = entry.name.name;
            if (item.keyword === "secrets") {
              if (!secrets.has(name)) diagnostics.push(diagnostic("notASecret", entry.name.span, [name, flowName]));
              else if (entry.value.kind !== "String")
                diagnostics.push(
                  diagnostic("testValueTypeMismatch", entry.value.span, [
                    "The value",
                    kindOf(jsonOf(entry.value)),
                    name,
                    "a secret (a string)",
                  ]),
                );
              continue;
            }
            const decl = variables.get(name);
            const scope = item.keyword === "config" ? "config" : "global";
            if (decl === undefined || decl.scope !== scope) {
              diagnostics.push(
                diagnostic(scope === "config" ? "notAConfig" : "notAGlobal", entry.name.span, [name, flowName]),
              );
              continue;
            }
            value(entry.value, "The value", decl);
          }
          break;
        case "Mock":
          widget(item.widget, "mock");
          if (mocked.has(item.widget.name))
            diagnostics.push(diagnostic("duplicateMock", item.widget.span, [item.widget.name]));
          mocked.add(item.widget.name);
          if (item.replies.length === 0)
            diagnostics.push(diagnostic("mockWithoutReply", item.widget.span, [item.widget.name]));
          for (const reply of item.replies) {
            if (reply.kind !== "StatusReply") continue;
            const status = reply.status.value;
            if (!Number.isInteger(status) || status < 100 || status > 599)
              diagnostics.push(diagnostic("replyStatusOutOfRange", reply.status.span, [reply.status.raw]));
            for (const part of reply.items ?? [])
              if (part.kind === "ReplyBody" && part.body.kind === "JsonBody")
                value(part.body.value, "The body", undefined);
          }
          for (const part of item.request?.items ?? [])
            if (part.kind === "BodyAssertion" && part.body.kind === "JsonBody")
              value(part.body.value, "The body", undefined);
          break;
        case "ExpectBlock":
          for (const expectation of item.items) {
            switch (expectation.kind) {
              case "PathExpect":
                for (const w of expectation.widgets) widget(w);
                break;
              case "EndExpect":
                widget(expectation.widget);
                break;
              case "AttemptsExpect":
                widget(expectation.widget, "attempts");
                break;
              case "VarExpect": {
                const decl = variables.get(expectation.name.name);
                if (decl === undefined)
                  diagnostics.push(
                    diagnostic(
                      "unknownTestVariable",
                      expectation.name.span,
                      [expectation.name.name],
                      `the variables of ${flowName}: ${[...variables.keys()].join(", ")}`,
                    ),
                  );
                value(expectation.value, "The expected value", decl);
                break;
              }
              case "RouteExpect":
              case "FailExpect":
              case "SentExpect":
                break;
            }
          }
          break;
      }
    }
  }
}
