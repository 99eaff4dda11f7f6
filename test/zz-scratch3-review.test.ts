import { readFileSync } from "node:fs";
import { it } from "vitest";
import { formatSource } from "../compiler/format.js";
it("scratch", () => {
  for (const f of (process.env["FILES"] ?? "").split(" ")) {
    const r = formatSource(readFileSync(f, "utf8"), f);
    console.log(r.text ?? r.diagnostics);
  }
});
