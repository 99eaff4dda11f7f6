// `callflow run --record FILE.flowtest`: watches a real run (its fetch, its events, its sends) and
// writes a test that reproduces it. Secret values never reach the file: each secret gets a
// placeholder value the test declares, and masked values (and the response fields that held them)
// become placeholders too, consistently, so the recorded test still passes.
import type {
  FetchInit,
  FetchLike,
  FetchResponse,
  FlowDefinition,
  RunResult,
  TraceEvent,
  Vars,
} from "../runtime/index.js";
import { formatFlowTest } from "../grammar/flowtest-printer.js";
import { MAX_NESTING, MAX_STRING_LENGTH } from "../grammar/limits.js";
import { printString } from "../grammar/printer.js";
import { showJson } from "./values.js";

/** One fetch call as the flow saw it. */
type Exchange =
  | {
      readonly kind: "response";
      readonly status: number;
      readonly headers: ReadonlyArray<readonly [string, string]>;
      readonly text: string;
    }
  | { readonly kind: "timeout" | "network_error" };

/** Response headers worth replaying besides those results read: body type, waits, redirects. */
const KEPT_HEADERS = ["content-type", "retry-after", "location"];

/** What `--record` writes: the test, or why no test file can reproduce the run. */
export type Recording = { readonly text: string } | { readonly problem: string };

// Blocks around a value in the recorded layout: `test { mock w { reply 200 { json ... } } }`, and
// `test { globals { ... } }` or `test { expect { ... } }`. A test file nests at most MAX_NESTING deep.
const REPLY_BLOCKS = 3;
const TEST_BLOCKS = 2;

/** How deep a JSON value's brackets nest (a scalar: 0), walked with a list: a server's JSON can nest deeper than the stack. */
function depthOf(root: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[root, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (value === null || typeof value !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    for (const item of Object.values(value)) pending.push([item, depth + 1]);
  }
  return deepest;
}

/** The length of the longest string literal (values and keys) a JSON value prints as, quotes left out. */
function longestString(value: unknown): number {
  if (typeof value === "string") return printString(value).length - 2;
  if (value === null || typeof value !== "object") return 0;
  let longest = 0;
  for (const [k, v] of Object.entries(value)) longest = Math.max(longest, printString(k).length - 2, longestString(v));
  return longest;
}

const count = (n: number): string => n.toLocaleString("en-US");

/** A masked value shorter than this is replaced where it is a whole value, not inside other text (as the runtime's redactor). */
const MIN_SEARCH_LENGTH = 4;

export class Recorder {
  readonly #inner: FetchLike;
  readonly #definition: FlowDefinition<Vars, string, string>;
  readonly #exchanges = new Map<string, Exchange[]>();
  readonly #sent: string[] = [];
  readonly #attempts = new Map<string, number>();
  #widget = "";

  constructor(definition: FlowDefinition<Vars, string, string>, inner: FetchLike) {
    this.#definition = definition;
    this.#inner = inner;
  }

  /** The run's fetch: the real one, with each response read whole and kept. */
  readonly fetch: FetchLike = async (url: string, init: FetchInit): Promise<FetchResponse> => {
    const list = this.#exchanges.get(this.#widget) ?? [];
    this.#exchanges.set(this.#widget, list);
    const wanted = new Set([...KEPT_HEADERS, ...this.#headersRead(this.#widget)]);
    let response: FetchResponse;
    let text: string;
    try {
      response = await this.#inner(url, init);
      text = response.text === undefined ? "" : await response.text();
    } catch (error) {
      list.push({ kind: init.signal.aborted ? "timeout" : "network_error" });
      throw error;
    }
    const headers: [string, string][] = [];
    for (const name of wanted) {
      const value = response.headers.get(name);
      if (value !== null) headers.push([name, value]);
    }
    list.push({ kind: "response", status: response.status, headers, text });
    // The body is already decoded: its length now is its decoded length.
    const length = String(Buffer.byteLength(text));
    return {
      status: response.status,
      headers: {
        get: (name) => {
          const lower = name.toLowerCase();
          return lower === "content-length" ? length : lower === "content-encoding" ? null : response.headers.get(name);
        },
      },
      body: null,
      text: () => Promise.resolve(text),
    };
  };

  /** Follows the run's events (to know which widget a request comes from). */
  onEvent(event: TraceEvent): void {
    if (event.type !== "http.attempt.start") return;
    this.#widget = event.widget;
    this.#attempts.set(event.widget, (this.#attempts.get(event.widget) ?? 0) + 1);
  }

  onSend(message: string): void {
    this.#sent.push(message);
  }

  #headersRead(widget: string): string[] {
    const step = this.#definition.steps[widget];
    if (step?.kind !== "http") return [];
    return step.results.flatMap((r) => (r.source.kind === "header" ? [r.source.name.toLowerCase()] : []));
  }

  /**
   * The test, in canonical layout, checked by the .flowtest parser: a test that would not parse is never
   * written. `flowPath` is the flow relative to the test file; `secrets` are the values the run used,
   * which the file never contains.
   */
  flowTest(
    flowPath: string,
    name: string,
    input: Readonly<Record<string, unknown>>,
    secrets: ReadonlyMap<string, string>,
    result: RunResult<Vars, string>,
    config: Readonly<Record<string, unknown>> = {},
  ): Recording {
    const definition = this.#definition;
    // Real value → placeholder, longest first so a value is replaced whole.
    const replacements: [string, string][] = [];
    const secretValues = new Map<string, string>();
    for (const [secret, value] of secrets) {
      const placeholder = `recorded-secret-${secret}`;
      secretValues.set(secret, placeholder);
      replacements.push([value, placeholder]);
    }
    const maskedValues = new Map<unknown, string>();
    for (const [variable, spec] of Object.entries(definition.variables)) {
      if (!spec.masked) continue;
      const value = Object.hasOwn(result.variables, variable)
        ? result.variables[variable]
        : Object.hasOwn(config, variable)
          ? config[variable]
          : input[variable];
      if (typeof value !== "string" || value === "") continue;
      const placeholder = `masked-${variable}`;
      maskedValues.set(value, placeholder);
      if (value.length >= MIN_SEARCH_LENGTH) replacements.push([value, placeholder]);
    }
    replacements.sort((a, b) => b[0].length - a[0].length);
    const text = (value: string): string => {
      const whole = maskedValues.get(value);
      if (whole !== undefined) return whole;
      let out = value;
      for (const [real, placeholder] of replacements) out = out.split(real).join(placeholder);
      return out;
    };
    const json = (value: unknown): unknown => {
      if (typeof value === "string") return text(value);
      if (Array.isArray(value)) return value.map(json);
      if (value !== null && typeof value === "object")
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [text(k), json(v)]));
      return value;
    };
    // A string longer than test files hold cannot be written in any form: the recording is refused.
    const problems: string[] = [];
    const fits = (value: unknown, where: string, blocks: number): boolean => {
      const longest = longestString(value);
      if (longest > MAX_STRING_LENGTH)
        problems.push(
          `${where} holds a string of ${count(longest)} characters as a test file writes it; test files hold strings of at most ${count(MAX_STRING_LENGTH)}`,
        );
      const depth = blocks + depthOf(value);
      if (depth > MAX_NESTING)
        problems.push(
          `${where} nests ${count(depth)} levels deep in the test file (the test's own blocks included); test files nest at most ${MAX_NESTING}`,
        );
      return longest <= MAX_STRING_LENGTH && depth <= MAX_NESTING;
    };
    const show = (value: unknown): string => showJson(json(value));

    const lines: string[] = [`tests for ${printString(flowPath)}`, "", `test ${printString(name)} {`];
    for (const [k, v] of Object.entries(input)) fits(json(v), `the global ${k}`, TEST_BLOCKS);
    for (const [k, v] of Object.entries(config)) fits(json(v), `the config ${k}`, TEST_BLOCKS);
    // The environment's config the run used, so the test runs as it did wherever it is replayed.
    const configs = Object.entries(config).map(([k, v]) => `${k} = ${show(v)}`);
    if (configs.length > 0) lines.push("  config {", ...configs.map((c) => `    ${c}`), "  }");
    const globals = Object.entries(input).map(([k, v]) => `${k} = ${show(v)}`);
    if (globals.length > 0) lines.push("  globals {", ...globals.map((g) => `    ${g}`), "  }");
    if (secretValues.size > 0)
      lines.push("  secrets {", ...[...secretValues].map(([k, v]) => `    ${k} = ${printString(v)}`), "  }");
    for (const [widget, exchanges] of this.#exchanges) {
      lines.push(`  mock ${widget} {`);
      for (const [index, exchange] of exchanges.entries()) {
        if (exchange.kind !== "response") {
          lines.push(`    reply ${exchange.kind}`);
          continue;
        }
        const where = `the response ${index + 1} of ${widget}`;
        const headers = exchange.headers.map(([k, v]) => [k, text(v)] as const);
        for (const [k, v] of headers) fits(v, `${where}'s header ${k}`, 0);
        const items = headers.map(([k, v]) => `header ${printString(k)} = ${printString(v)}`);
        if (exchange.text !== "") {
          const parsed = parseJson(exchange.text);
          // JSON nested deeper than a test file allows is replayed as the text it came as, which the
          // runtime reads the same way: the type `json` would have given is kept with it.
          const value =
            parsed !== undefined && depthOf(parsed.value) + REPLY_BLOCKS <= MAX_NESTING
              ? json(parsed.value)
              : undefined;
          if (value !== undefined) {
            fits(value, where, REPLY_BLOCKS);
            items.push(`json ${showJson(value)}`);
          } else {
            const body = text(exchange.text);
            if (fits(body, where, 0) && parsed !== undefined && !headers.some(([k]) => k === "content-type"))
              items.unshift(`header "content-type" = "application/json"`);
            items.push(`text ${printString(body)}`);
          }
        }
        if (items.length === 0) lines.push(`    reply ${exchange.status}`);
        else lines.push(`    reply ${exchange.status} {`, ...items.map((i) => `      ${i}`), "    }");
      }
      lines.push("  }");
    }
    const outcome = result.outcome;
    const expectations = [
      `path ${result.trace.flatMap((e) => (e.type === "step.start" ? [e.widget] : [])).join(", ")}`,
    ];
    if (outcome.kind === "end") expectations.push(`end ${outcome.widget}`);
    else if (outcome.kind === "route") expectations.push(`route ${printString(outcome.queue)}`);
    else expectations.push("fail");
    for (const [widget, count] of this.#attempts) expectations.push(`attempts ${widget} = ${count}`);
    for (const [i, message] of this.#sent.entries()) {
      fits(text(message), `the message sent ${i + 1}`, 0);
      expectations.push(`sent ${printString(text(message))}`);
    }
    for (const [variable, spec] of Object.entries(definition.variables))
      if (spec.scope === "local" && Object.hasOwn(result.variables, variable)) {
        fits(json(result.variables[variable]), `the variable ${variable}`, TEST_BLOCKS);
        expectations.push(`${variable} = ${show(result.variables[variable])}`);
      }
    if (problems.length > 0) return { problem: problems.join("; ") };
    lines.push("  expect {", ...expectations.map((e) => `    ${e}`), "  }", "}");
    const source = lines.join("\n") + "\n";
    const formatted = formatFlowTest(source, "recorded.flowtest");
    // The checks above name the usual causes; the parser has the last word.
    if (formatted.text === undefined)
      return { problem: formatted.diagnostics.map((d) => `${d.code}: ${d.message}`).join("; ") };
    return { text: formatted.text };
  }
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}
