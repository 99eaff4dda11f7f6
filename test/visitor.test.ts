// The generic AST walk: every node kind reached, field order, skipping, and no recursion limit.
import { describe, expect, it } from "vitest";
import type { BinaryExpr, Flow, VarRef } from "../grammar/ast.js";
import { parse } from "../grammar/parse.js";
import { visit, type NodeKind } from "../grammar/visitor.js";
import { readRepoFile } from "./compile-helpers.js";

const flowOf = (source: string): Flow => {
  const { flow } = parse(source, "t.flow");
  if (flow === undefined) throw new Error("no flow");
  return flow;
};

describe("visit", () => {
  it("reaches the nodes of every kind a real flow holds, parents first", () => {
    const kinds = new Set<NodeKind>();
    const order: NodeKind[] = [];
    visit(flowOf(readRepoFile("test/fixtures/contract.flow")), {
      Flow: () => void order.push("Flow"),
      HttpWidget: () => void order.push("HttpWidget"),
      Setting: (s) => void (s.keyword === "url" && order.push("Setting")),
      Interpolation: () => void order.push("Interpolation"),
      ...Object.fromEntries(
        (["VarDecl", "SecretDecl", "Exit", "When", "Binary", "KeyValue", "ResultMapping", "Duration"] as const).map(
          (k) => [k, () => void kinds.add(k)],
        ),
      ),
    });
    expect([...kinds].sort()).toEqual([
      "Binary",
      "Duration",
      "Exit",
      "KeyValue",
      "ResultMapping",
      "SecretDecl",
      "VarDecl",
      "When",
    ]);
    expect(order.slice(0, 4)).toEqual(["Flow", "HttpWidget", "Setting", "Interpolation"]);
  });

  it("skips the children of a node whose handler returns false", () => {
    const names: string[] = [];
    const flow = flowOf(`flow f { local a: string = "x" start -> s send s { message "{{a}}" next -> e } end e }`);
    visit(flow, { VarRef: (v) => void names.push(v.name) });
    expect(names).toEqual(["a"]);
    names.length = 0;
    visit(flow, { SendWidget: () => false, VarRef: (v) => void names.push(v.name) });
    expect(names).toEqual([]);
  });

  it("walks a 100,000-deep expression without exhausting the stack", () => {
    const leaf = (name: string): VarRef => ({
      kind: "VarRef",
      name,
      span: { file: "t", line: 1, column: 1, offset: 0, length: 1 },
    });
    let expr: BinaryExpr | VarRef = leaf("v0");
    for (let i = 1; i < 100_000; i++)
      expr = { kind: "Binary", op: "and", left: expr, right: leaf(`v${i}`), span: expr.span };
    let count = 0;
    visit(expr, { VarRef: () => void count++ });
    expect(count).toBe(100_000);
  });
});
