import { readFileSync } from "node:fs";
import { it } from "vitest";
import { parse } from "../grammar/parse.js";
import { graph } from "../compiler/graph.js";
it("scratch", () => {
  for (const f of (process.env["FILES"] ?? "").split(" ")) {
    const r = parse(readFileSync(f, "utf8"), f);
    console.log(graph(r.flow!, "mermaid"));
    console.log(graph(r.flow!, "dot"));
  }
});
