import { describe, expect, it } from "vitest";
import type { Span } from "../grammar/ast.js";
import { codeFrame } from "../cli/code-frame.js";
import { diagnostic } from "../grammar/diagnostics.js";
import { formatGithub, formatPretty } from "../cli/report.js";

function spanAt(source: string, needle: string): Span {
  const offset = source.indexOf(needle);
  const before = source.slice(0, offset).split("\n");
  return {
    file: "t.flow",
    offset,
    length: needle.length,
    line: before.length,
    column: (before.at(-1) ?? "").length + 1,
  };
}

const source = ["flow f {", "  start -> a", "  http a {", "    method GTE", "  }", "}"].join("\n");

describe("codeFrame", () => {
  it("underlines the span with carets under the right column, with a line of context", () => {
    expect(codeFrame(source, spanAt(source, "GTE"))).toBe(
      ["  3 |   http a {", "> 4 |     method GTE", "    |            ^^^", "  5 |   }"].join("\n"),
    );
  });

  it("shows the first line at the start of a file and pads the gutter to the widest number", () => {
    const long = Array.from({ length: 12 }, (_, i) => `line${i + 1}`).join("\n");
    expect(codeFrame(long, spanAt(long, "line10"))).toBe(
      ["   9 | line9", "> 10 | line10", "     | ^^^^^^", "  11 | line11"].join("\n"),
    );
    expect(codeFrame(long, spanAt(long, "line1\n"), { context: 0 })).toBe(["> 1 | line1", "    | ^^^^^"].join("\n"));
  });

  it("stops the underline at the end of the first line of a multi-line span", () => {
    const span = { ...spanAt(source, "http a {"), length: 30 };
    expect(codeFrame(source, span, { context: 0 }).split("\n")[1]).toBe("    |   ^^^^^^^^");
  });

  it("marks an empty span at the end of the file with one caret", () => {
    const span: Span = { file: "t.flow", offset: source.length, length: 0, line: 6, column: 2 };
    expect(codeFrame(source, span, { context: 0 })).toBe(["> 6 | }", "    |  ^"].join("\n"));
  });

  it("never prints control characters from the source (terminal escapes)", () => {
    const hostile = 'flow f { url "\u001b[31mred\u0007" }';
    const frame = codeFrame(hostile, spanAt(hostile, "url"));
    expect(frame).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(frame).toContain("\ufffd[31mred\ufffd");
  });

  it("cuts a very long line to a window that keeps the span and caret aligned", () => {
    const line = "x".repeat(5000) + " BAD " + "y".repeat(5000);
    const frame = codeFrame(line, spanAt(line, "BAD"), { width: 40 }).split("\n");
    const text = frame[0] ?? "";
    const caretLine = frame[1] ?? "";
    expect(text.length).toBeLessThan(60);
    expect(text.indexOf("BAD")).toBe(caretLine.indexOf("^"));
  });
});

describe("diagnostic printing", () => {
  const d = diagnostic(
    "unknownMethod",
    spanAt(source, "GTE"),
    ["GTE", "GET, POST, PUT, PATCH or DELETE"],
    "did you mean GET?",
  );

  it("prints file:line:col, severity, code, message, frame and hint without color", () => {
    expect(formatPretty(d, source, false)).toBe(
      [
        "t.flow:4:12 - error CF1008: Unknown HTTP method 'GTE': use GET, POST, PUT, PATCH or DELETE.",
        "",
        "  3 |   http a {",
        "> 4 |     method GTE",
        "    |            ^^^",
        "  5 |   }",
        "  hint: did you mean GET?",
        "",
      ].join("\n"),
    );
  });

  it("adds ANSI colors only when asked", () => {
    expect(formatPretty(d, source, true)).toContain("\u001b[");
  });

  it("escapes GitHub annotation properties and data", () => {
    const odd = diagnostic("unknownMethod", { ...d.span, file: "a,b:c.flow" }, [
      "x%\ny",
      "GET, POST, PUT, PATCH or DELETE",
    ]);
    expect(formatGithub(odd)).toBe(
      "::error file=a%2Cb%3Ac.flow,line=4,col=12,title=CF1008::Unknown HTTP method 'x%25%0Ay': use GET, POST, PUT, PATCH or DELETE.\n",
    );
  });
});
