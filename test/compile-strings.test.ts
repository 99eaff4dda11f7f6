// Any string in a .flow file reaches generated code as exactly the same string value, never
// as code: hostile strings go into every kind of string literal, the flow is compiled, the
// generated module (TypeScript and the js emit) is imported and its builders are called.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { compile } from "../compiler/compile.js";
import type { FlowDefinition, HttpStep, Vars } from "../runtime/flow.js";
import { ROOT, tempDir } from "./compile-helpers.js";

const temp = tempDir("compile-strings");
afterAll(() => temp.remove());

const NASTY = [
  '"',
  "\\",
  "`",
  "${",
  "${x}",
  "*/",
  "/*",
  "//",
  "\n",
  "\r",
  "\r\n",
  "\t",
  "\0",
  "\u2028",
  "\u2029",
  "😀",
  "\ud800",
  "\udfff",
  "\u202e",
  "\ufeff",
  "\u200d",
  "'",
  "</script>",
  "{",
  "}",
  "#",
  "é",
  "\u{e0067}",
  "__proto__",
];

/** Strings made of hostile pieces and arbitrary characters, lone surrogates included. */
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(...NASTY),
      fc.string({ unit: "binary", maxLength: 3 }),
      fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 2 }),
    ),
    { maxLength: 8 },
  )
  .map((pieces) => pieces.join(""))
  // `{{` starts an interpolation; the language has no escape for it.
  .filter((s) => !s.includes("{{"));

/** A .flow string literal for `value`: JSON escapes, with non-ASCII either raw or escaped. */
function flowString(value: string, escapeAll: boolean): string {
  const json = JSON.stringify(value);
  return escapeAll ? json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) : json;
}

interface Strings {
  readonly flowName: string;
  readonly widgetName: string;
  readonly queryKey: string;
  readonly queryValue: string;
  readonly headerValue: string;
  readonly jsonKey: string;
  readonly jsonValue: string;
  readonly formKey: string;
  readonly formValue: string;
  readonly textBody: string;
  readonly message: string;
  readonly condition: string;
  readonly setValue: string;
  readonly defaultValue: string;
  readonly queue: string;
  readonly resultHeader: string;
  readonly file: string;
}

const strings: fc.Arbitrary<Strings> = fc.record({
  flowName: hostile,
  widgetName: hostile,
  queryKey: hostile,
  queryValue: hostile,
  headerValue: hostile,
  jsonKey: hostile,
  jsonValue: hostile,
  formKey: hostile,
  formValue: hostile,
  textBody: hostile,
  message: hostile,
  condition: hostile,
  setValue: hostile,
  defaultValue: hostile,
  queue: hostile,
  resultHeader: hostile,
  // A file name: no folder separators, and `.`/`..` would be normalised away.
  file: hostile.filter((s) => !/[/\\]/.test(s) && s !== "" && s !== "." && s !== ".."),
});

function flowSource(s: Strings, escapeAll: boolean): string {
  const q = (value: string): string => flowString(value, escapeAll);
  return `flow hostile ${q(s.flowName)} {
  global input: string
  local note: string = ${q(s.defaultValue)}
  local seen: string
  start -> call

  http call ${q(s.widgetName)} {
    method POST
    url "https://example.com/x/{{input}}"
    query { ${q(s.queryKey)} = ${q(s.queryValue)} }
    headers { "X-Note" = ${q(s.headerValue)} }
    body json { ${q(s.jsonKey)}: ${q(s.jsonValue)}, "list": [${q(s.jsonValue)}, 1] }
    results { header ${q(s.resultHeader)} -> seen }
    success -> check
    fail -> check
  }
  condition check {
    when input == ${q(s.condition)} -> say
    else -> say
  }
  send say { message ${q(s.message)} next -> keep }
  set keep { note = ${q(s.setValue)} next -> form }
  http form { method PUT url "https://example.com/f" body form { ${q(s.formKey)} = ${q(s.formValue)} } success -> text fail -> text }
  http text { method PUT url "https://example.com/t" body text ${q(s.textBody)} success -> queue fail -> queue }
  route queue { queue ${q(s.queue)} }
}
`;
}

let counter = 0;

/** Compiles, writes the module (TypeScript, or the js emit) under a fresh name and imports it. */
async function load(
  s: Strings,
  escapeAll: boolean,
  emit: "ts" | "js",
): Promise<{ flow: FlowDefinition<Vars, string, string>; text: string }> {
  const file = `flows/${s.file}.flow`;
  const runtime = path.relative(temp.dir, path.join(ROOT, "runtime/internal.ts")).replaceAll("\\", "/");
  const result = compile(flowSource(s, escapeAll), {
    file,
    emit,
    runtimeImport: runtime.startsWith(".") ? runtime : `./${runtime}`,
  });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  expect(errors).toEqual([]);
  const module = result.files[0]!;
  const name = path.join(temp.dir, `m${counter++}.${emit === "ts" ? "ts" : "mjs"}`);
  writeFileSync(name, module.text);
  const imported = (await import(pathToFileURL(name).href)) as { hostileFlow: FlowDefinition<Vars, string, string> };
  return { flow: imported.hostileFlow, text: module.text };
}

async function check(s: Strings, escapeAll: boolean, emit: "ts" | "js"): Promise<void> {
  const { flow, text } = await load(s, escapeAll, emit);
  // Nothing invisible or line-breaking is left raw in the generated text, and it is well-formed UTF-16.
  expect(text).not.toMatch(/[\r\u2028\u2029\u202e\ufeff\u0000]/);
  expect(text).not.toMatch(/[\ud800-\udfff]/u);

  const vars = { input: s.condition, note: "n" };
  const call = flow.steps["call"] as HttpStep<Vars, string, string>;
  expect(flow.name).toBe(s.flowName);
  expect(flow.source).toBe(`flows/${s.file}.flow`);
  expect(call.name).toBe(s.widgetName);
  expect(call.source).toBe(`flows/${s.file}.flow:7`);
  expect(call.query!(vars, {})).toEqual([[s.queryKey, s.queryValue]]);
  expect(call.headers!(vars, {})).toEqual([["X-Note", s.headerValue]]);
  const expectedJson = Object.fromEntries([
    [s.jsonKey, s.jsonValue],
    ["list", [s.jsonValue, 1]],
  ]);
  expect(call.body!.build(vars, {})).toStrictEqual(expectedJson);
  expect(call.results[0]!.source).toEqual({ kind: "header", name: s.resultHeader });
  expect(call.url({ ...vars, input: "a b/c?d" }, {})).toBe("https://example.com/x/a%20b%2Fc%3Fd");

  const condition = flow.steps["check"];
  if (condition?.kind !== "condition") throw new Error("check is a condition");
  expect(condition.branches[0]!.test(vars)).toBe(true);
  expect(condition.branches[0]!.test({ ...vars, input: `${s.condition}!` })).toBe(false);

  const say = flow.steps["say"];
  if (say?.kind !== "send") throw new Error("say is a send");
  expect(say.message(vars)).toBe(s.message);
  const keep = flow.steps["keep"];
  if (keep?.kind !== "set") throw new Error("keep is a set");
  expect(keep.assign(vars)).toStrictEqual({ note: s.setValue });
  expect(flow.variables["note"]!.default).toBe(s.defaultValue);
  const form = flow.steps["form"] as HttpStep<Vars, string, string>;
  expect(form.body!.build(vars, {})).toEqual([[s.formKey, s.formValue]]);
  const textStep = flow.steps["text"] as HttpStep<Vars, string, string>;
  expect(textStep.body!.build(vars, {})).toBe(s.textBody);
  const queue = flow.steps["queue"];
  if (queue?.kind !== "route") throw new Error("queue is a route");
  expect(queue.queue).toBe(s.queue);
}

describe("hostile strings", () => {
  it("come out of the generated TypeScript exactly as they went into the .flow file", async () => {
    await fc.assert(
      fc.asyncProperty(strings, fc.boolean(), async (s, escapeAll) => check(s, escapeAll, "ts")),
      { numRuns: 60 },
    );
  });

  it("come out of the generated JavaScript (--emit js) exactly as they went in", async () => {
    await fc.assert(
      fc.asyncProperty(strings, fc.boolean(), async (s, escapeAll) => check(s, escapeAll, "js")),
      { numRuns: 60 },
    );
  });

  it("come out unchanged for a fixed set of the worst cases", async () => {
    // Ends in a backslash: `\\"` once made ts-morph's writer lose track of the string.
    const worst = 'a"b\\c`${d}*/e\u2028f\u2029g\ud800h😀\r\n</script>/*\\';
    const s = Object.fromEntries(Object.keys(fc.sample(strings, 1)[0]!).map((k) => [k, worst])) as unknown as Strings;
    // A path with `*/` in it goes into comments too.
    await check({ ...s, file: "x*/y" }, false, "ts");
    await check({ ...s, file: "x*/y" }, true, "js");
  });
});
