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
   * The test, in canonical layout. `flowPath` is the flow relative to the test file; `secrets`
   * are the values the run used, which the file never contains.
   */
  flowTest(
    flowPath: string,
    name: string,
    input: Readonly<Record<string, unknown>>,
    secrets: ReadonlyMap<string, string>,
    result: RunResult<Vars, string>,
    config: Readonly<Record<string, unknown>> = {},
  ): string {
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
      const value = Object.hasOwn(result.variables, variable) ? result.variables[variable] : input[variable];
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
    const show = (value: unknown): string => showJson(json(value));

    const lines: string[] = [`tests for ${printString(flowPath)}`, "", `test ${printString(name)} {`];
    // The environment's config the run used, so the test runs as it did wherever it is replayed.
    const configs = Object.entries(config).map(([k, v]) => `${k} = ${show(v)}`);
    if (configs.length > 0) lines.push("  config {", ...configs.map((c) => `    ${c}`), "  }");
    const globals = Object.entries(input).map(([k, v]) => `${k} = ${show(v)}`);
    if (globals.length > 0) lines.push("  globals {", ...globals.map((g) => `    ${g}`), "  }");
    if (secretValues.size > 0)
      lines.push("  secrets {", ...[...secretValues].map(([k, v]) => `    ${k} = ${printString(v)}`), "  }");
    for (const [widget, exchanges] of this.#exchanges) {
      lines.push(`  mock ${widget} {`);
      for (const exchange of exchanges) {
        if (exchange.kind !== "response") {
          lines.push(`    reply ${exchange.kind}`);
          continue;
        }
        const items = exchange.headers.map(([k, v]) => `header ${printString(k)} = ${printString(text(v))}`);
        if (exchange.text !== "") {
          const parsed = parseJson(exchange.text);
          items.push(parsed === undefined ? `text ${printString(text(exchange.text))}` : `json ${show(parsed.value)}`);
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
    for (const message of this.#sent) expectations.push(`sent ${printString(text(message))}`);
    for (const [variable, spec] of Object.entries(definition.variables))
      if (spec.scope === "local" && Object.hasOwn(result.variables, variable))
        expectations.push(`${variable} = ${show(result.variables[variable])}`);
    lines.push("  expect {", ...expectations.map((e) => `    ${e}`), "  }", "}");
    const source = lines.join("\n") + "\n";
    return formatFlowTest(source, "recorded.flowtest").text ?? source;
  }
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}
