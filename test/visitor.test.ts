// The generic AST walk: every node kind reached, field order, skipping, and no recursion limit.
import { describe, expect, expectTypeOf, it } from "vitest";
import type { BinaryExpr, Flow, VarRef } from "../grammar/ast.js";
import { parse } from "../grammar/parse.js";
import { visit, VISITOR_KEYS, type AstNode, type ChildKey, type NodeKind, type NodeOf } from "../grammar/visitor.js";
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

  it("knows every node kind: a flow that holds each one reaches them all", () => {
    const flow = flowOf(`flow f "F" {
      global a: string = null
      local n: number
      local list: array = [1, "x"]
      local out: json
      secret K
      start -> h
      http h { method POST url "https://x.example/{{a}}" headers { "H" = "{{secret.K}}" } body form { q = a }
        timeout 2s results { "$.x" -> out  status -> n  header "etag" -> a } on 404, 5xx -> s success -> c fail -> e }
      http h2 { method POST url "https://x.example" body text "t" success -> e fail -> e }
      http h3 { method POST url "https://x.example" query { q = "1" } body json { "k": [true] } success -> e fail -> e }
      condition c { when not (list.length > 1) or a == "y" -> s else -> e }
      set s { n = 1 next -> r }
      send m { message "hi" next -> e }
      route r { queue "q" }
      end e
    }`);
    const seen = new Set<string>();
    const all = Object.fromEntries(Object.keys(VISITOR_KEYS).map((k) => [k, () => void seen.add(k)]));
    visit(flow, all);
    // Comments are kept beside the tree, for the formatter, not in it.
    expect([...seen].sort()).toEqual(
      Object.keys(VISITOR_KEYS)
        .filter((k) => k !== "Comment")
        .sort(),
    );
  });

  it("types its keys map by every node kind and every field that holds nodes", () => {
    expectTypeOf<keyof typeof VISITOR_KEYS>().toEqualTypeOf<NodeKind>();
    expectTypeOf<(typeof VISITOR_KEYS)["Length"][number]>().toEqualTypeOf<ChildKey<NodeOf<"Length">>>();
    expectTypeOf<(typeof VISITOR_KEYS)["StatusExit"][number]>().toEqualTypeOf<ChildKey<NodeOf<"StatusExit">>>();
    expectTypeOf<NodeOf<"StatusMatch">>().toMatchTypeOf<AstNode>();
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

  it("walks on past a missing item of a hand-made tree", () => {
    const span = { file: "t", line: 1, column: 1, offset: 0, length: 1 };
    const ref = (name: string): VarRef => ({ kind: "VarRef", name, span });
    const items = [ref("a"), undefined, ref("b")] as unknown as VarRef[];
    const names: string[] = [];
    visit({ kind: "Array", items, span }, { VarRef: (v) => void names.push(v.name) });
    expect(names).toEqual(["a", "b"]);
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
