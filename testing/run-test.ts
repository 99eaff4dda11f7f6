// One test case: its inputs, its mocks as the run's fetch, virtual time, the run through the
// flow's generated code, then every expectation checked and every failure kept (not just the
// first). What a failure shows of the run's data (values, messages sent, requests) passes through the test's
// redactor where it is built; its messages, widget ids and outcome kinds are the flow's own words and never do.
import { isDeepStrictEqual } from "node:util";
import { diffLines } from "diff";
import type { Span } from "../grammar/ast.js";
import type { Expectation, InputBlock, Mock, RequestBlock, TestCase } from "../grammar/flowtest-ast.js";
import { checkConfig, checkInput, type Outcome, type RunResult, type TraceEvent, type Vars } from "../runtime/index.js";
import { Redactor } from "../runtime/redact.js";
import type { LoadedFlow } from "../loader/load-flow.js";
import type { Environment } from "../project/project-file.js";
import { resolveSecrets } from "../project/secrets.js";
import { bodyText, mockFetch, type SentRequest } from "./mock-fetch.js";
import { asStored, jsonOf, showJson } from "./values.js";
import { seededRandom, VirtualClock } from "./virtual-clock.js";

export interface Failure {
  /** What differs, in a few words: `path differs`, `attempt 1 of lookup_order: url differs`. */
  readonly message: string;
  readonly expected?: string;
  readonly actual?: string;
  /** The expectation (or block) in the test file. */
  readonly span: Span;
}

/** An exit a step took: the step.end event's widget, exit label, next widget and branch text. */
export interface TakenExit {
  readonly widget: string;
  readonly label: string;
  readonly target: string;
  readonly condition?: string;
}

export interface TestResult {
  readonly name: string;
  readonly span: Span;
  readonly passed: boolean;
  /** Virtual milliseconds the run took (waits included). */
  readonly virtualMs: number;
  readonly failures: readonly Failure[];
  readonly exits: readonly TakenExit[];
}

/** What a run did, gathered from its trace and handlers. */
interface Observed {
  readonly result: RunResult<Vars, string>;
  readonly path: readonly string[];
  readonly attempts: ReadonlyMap<string, number>;
  readonly sent: readonly string[];
  readonly requests: readonly SentRequest[];
  readonly definition: LoadedFlow["definition"];
}

/** Whether a socket was opened, for the runner's "no socket ever" guarantee (set by the caller). */
export interface SocketGuard {
  opened: boolean;
}

export async function runTest(
  test: TestCase,
  loaded: LoadedFlow,
  seed: string,
  sockets: SocketGuard,
  /** `callflow test --env NAME`: config values and, for secrets the test does not give, their sources. */
  environment?: Environment,
): Promise<TestResult> {
  const failures: Failure[] = [];
  const redactor = new Redactor();
  const inputs = (keyword: InputBlock["keyword"]): Map<string, { value: unknown; span: Span }> => {
    const map = new Map<string, { value: unknown; span: Span }>();
    for (const item of test.items)
      if (item.kind === "InputBlock" && item.keyword === keyword)
        for (const entry of item.entries) map.set(entry.name.name, { value: jsonOf(entry.value), span: entry.span });
    return map;
  };
  const globals = inputs("globals");
  const secrets = inputs("secrets");
  for (const { value } of secrets.values()) if (typeof value === "string") redactor.addSecret(value);
  const definition = loaded.definition;
  for (const [name, { value }] of globals) if (definition.variables[name]?.masked === true) redactor.addMasked(value);

  // Inputs that do not fit the flow are test errors: the test fails without running.
  const input: Record<string, unknown> = {};
  for (const [name, { value }] of globals) input[name] = asStored(value, definition.variables[name]?.type);
  for (const problem of checkInput(definition, input))
    failures.push({ message: `test error: ${problem}`, span: test.name.span });
  // Config values: the environment's, then the test's own `config { }` on top.
  const config: Record<string, unknown> = {};
  for (const [name, located] of environment?.config ?? [])
    if (definition.variables[name]?.scope === "config") config[name] = located.value;
  for (const [name, { value }] of inputs("config")) config[name] = value;
  for (const name of Object.keys(config)) {
    config[name] = asStored(config[name], definition.variables[name]?.type);
    if (definition.variables[name]?.masked === true) redactor.addMasked(config[name]);
  }
  for (const problem of checkConfig(definition, config)) {
    const hint = environment === undefined ? "; give it in config { } or run with --env" : "";
    failures.push({ message: `test error: ${problem}${hint}`, span: test.name.span });
  }
  if (environment !== undefined) {
    const wanted = definition.secrets.filter((name) => !secrets.has(name));
    const resolved = await resolveSecrets(environment, wanted, process.env);
    for (const problem of resolved.problems) failures.push({ message: `test error: ${problem}`, span: test.name.span });
    for (const [name, value] of resolved.values) {
      redactor.addSecret(value);
      secrets.set(name, { value, span: test.name.span });
    }
  }
  for (const name of definition.secrets)
    if (typeof secrets.get(name)?.value !== "string")
      failures.push({
        message: `test error: the flow reads secret ${name}; give it in secrets { }`,
        span: test.name.span,
      });
  if (failures.length > 0) return finish(test, failures, 0, []);

  const mocks = new Map<string, Mock>();
  for (const item of test.items) if (item.kind === "Mock") mocks.set(item.widget.name, item);
  const mock = mockFetch(mocks);
  const clock = new VirtualClock();
  const sent: string[] = [];
  const path: string[] = [];
  const attempts = new Map<string, number>();
  const exits: TakenExit[] = [];
  const onEvent = (event: TraceEvent): void => {
    if (event.type === "http.attempt.start") {
      mock.attemptOf(event.widget);
      attempts.set(event.widget, (attempts.get(event.widget) ?? 0) + 1);
    } else if (event.type === "step.start") path.push(event.widget);
    else if (event.type === "step.end" && event.exit !== undefined && event.next !== undefined)
      exits.push({
        widget: event.widget,
        label: event.exit,
        target: event.next,
        ...(event.condition === undefined ? {} : { condition: event.condition }),
      });
  };

  sockets.opened = false;
  let result: RunResult<Vars, string> | undefined;
  const running = loaded
    .run(input, {
      transport: mock.fetch,
      config,
      clock,
      random: seededRandom(seed),
      secrets: (name) => {
        const value = secrets.get(name)?.value;
        return typeof value === "string" ? value : undefined;
      },
      onEvent,
      // Host handlers are recorded, not called.
      onSend: (message) => void sent.push(message),
      onRoute: () => undefined,
    })
    .then((done) => {
      result = done;
    });
  // Whenever the run waits with nothing left to do but timers, time jumps to the next one.
  while (result === undefined) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (result !== undefined || clock.advance()) continue;
    failures.push({
      message: "the run stopped making progress (waiting on something that is not a timer)",
      span: test.span,
    });
    break;
  }
  if (result === undefined) return finish(test, failures, clock.now(), exits);
  await running;

  for (const [name, spec] of Object.entries(definition.variables))
    if (spec.masked && Object.hasOwn(result.variables, name)) redactor.addMasked(result.variables[name]);
  const hide = (text: string): string => redactor.text(text);

  for (const widget of mock.unmocked) {
    const source = definition.steps[widget]?.source ?? widget;
    failures.push({ message: `http widget ${widget} (${source}) was reached without a mock`, span: test.span });
  }
  if (sockets.opened) failures.push({ message: "the run opened a network socket", span: test.span });
  for (const item of mocks.values())
    if (item.request !== undefined)
      checkRequests(
        item.request,
        mock.requests.filter((r) => r.widget === item.widget.name),
        item.widget.name,
        failures,
        hide,
      );
  const observed: Observed = { result, path, attempts, sent, requests: mock.requests, definition };
  for (const item of test.items)
    if (item.kind === "ExpectBlock") for (const expectation of item.items) check(expectation, observed, failures, hide);
  return finish(test, failures, clock.now(), exits);
}

function finish(
  test: TestCase,
  failures: readonly Failure[],
  virtualMs: number,
  exits: readonly TakenExit[],
): TestResult {
  return {
    name: test.name.value,
    span: test.name.span,
    passed: failures.length === 0,
    virtualMs,
    failures,
    exits,
  };
}

function describeOutcome(outcome: Outcome<string>): string {
  switch (outcome.kind) {
    case "end":
      return `end ${outcome.widget}`;
    case "route":
      return `route ${JSON.stringify(outcome.queue)} (${outcome.widget})`;
    case "failed":
      return `fail at ${outcome.widget}: ${outcome.error.code}: ${outcome.error.message}`;
  }
}

/** `hide` redacts a text built from the run's data; outcomes come from the runtime already redacted. */
function check(
  expectation: Expectation,
  observed: Observed,
  failures: Failure[],
  hide: (text: string) => string,
): void {
  const { outcome, variables } = observed.result;
  const span = expectation.span;
  const differ = (message: string, expected: string, actual: string): void =>
    void failures.push({ message, expected, actual, span });
  switch (expectation.kind) {
    case "PathExpect": {
      const expected = expectation.widgets.map((w) => w.name).join(", ");
      const actual = observed.path.join(", ");
      if (expected !== actual) differ("path differs", expected, actual);
      return;
    }
    case "EndExpect":
      if (outcome.kind !== "end" || outcome.widget !== expectation.widget.name)
        differ("the run did not end as expected", `end ${expectation.widget.name}`, describeOutcome(outcome));
      return;
    case "RouteExpect":
      if (outcome.kind !== "route" || outcome.queue !== expectation.queue.value)
        differ(
          "the run did not route as expected",
          `route ${JSON.stringify(expectation.queue.value)}`,
          describeOutcome(outcome),
        );
      return;
    case "FailExpect":
      if (outcome.kind !== "failed") differ("the run did not fail", "fail", describeOutcome(outcome));
      return;
    case "AttemptsExpect": {
      const actual = observed.attempts.get(expectation.widget.name) ?? 0;
      if (actual !== expectation.count.value)
        differ(`attempts of ${expectation.widget.name} differ`, String(expectation.count.value), String(actual));
      return;
    }
    case "SentExpect":
      if (!observed.sent.includes(expectation.message.value))
        differ(
          "no message was sent with this text",
          hide(JSON.stringify(expectation.message.value)),
          observed.sent.length === 0
            ? "(no message sent)"
            : observed.sent.map((m) => hide(JSON.stringify(m))).join("\n"),
        );
      return;
    case "VarExpect": {
      const name = expectation.name.name;
      const expected = asStored(jsonOf(expectation.value), observed.definition.variables[name]?.type);
      const actual = Object.hasOwn(variables, name) ? variables[name] : undefined;
      if (!isDeepStrictEqual(actual, expected))
        differ(`${name} differs`, hide(showJson(expected)), hide(showJson(actual)));
      return;
    }
  }
}

/** Every attempt of a widget against its `request { }` block. */
function checkRequests(
  block: RequestBlock,
  sent: readonly SentRequest[],
  widget: string,
  failures: Failure[],
  hide: (text: string) => string,
): void {
  for (const request of sent) {
    const where = `attempt ${request.attempt} of ${widget}`;
    for (const item of block.items) {
      // Everything compared here is request data: method, URL, header values and bodies.
      const differ = (what: string, expected: string, actual: string): void =>
        void failures.push({
          message: `${where}: ${what} differs`,
          expected: hide(expected),
          actual: hide(actual),
          span: item.span,
        });
      switch (item.kind) {
        case "MethodAssertion":
          if (request.method !== item.name.name) differ("method", item.name.name, request.method);
          break;
        case "UrlAssertion":
          if (request.url !== item.url.value) differ("url", item.url.value, request.url);
          break;
        case "HeaderEntry": {
          const name = item.name.value.toLowerCase();
          const actual = request.headers.find(([n]) => n.toLowerCase() === name)?.[1];
          if (actual !== item.value.value)
            differ(
              `header ${item.name.value}`,
              JSON.stringify(item.value.value),
              actual === undefined ? "(not sent)" : JSON.stringify(actual),
            );
          break;
        }
        case "BodyAssertion": {
          const expected = bodyText(item.body).text;
          const actual = request.body;
          if (item.body.kind === "JsonBody") {
            const parsed = parseJson(actual);
            if (!isDeepStrictEqual(parsed, jsonOf(item.body.value)))
              failures.push({
                message: `${where}: body differs`,
                ...lineDiff(
                  hide(JSON.stringify(jsonOf(item.body.value), null, 2)),
                  actual === undefined ? "(no body)" : hide(JSON.stringify(parsed, null, 2) ?? actual),
                ),
                span: item.span,
              });
          } else if (item.body.kind === "FormBody") {
            // Form fields compare as a set of pairs: their order carries no meaning.
            const pairs = (text: string): string[] =>
              [...new URLSearchParams(text)].map((p) => JSON.stringify(p)).sort(compare);
            const want = pairs(expected);
            const got = pairs(actual ?? "");
            if (!isDeepStrictEqual(want, got)) differ("body", expected, actual ?? "(no body)");
          } else if (actual !== expected)
            differ("body", JSON.stringify(expected), actual === undefined ? "(no body)" : JSON.stringify(actual));
          break;
        }
      }
    }
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Multi-line texts as a diff: the lines only one side has, marked - (expected) and + (actual). */
function lineDiff(expected: string, actual: string): { expected: string; actual: string } {
  const want: string[] = [];
  const got: string[] = [];
  for (const part of diffLines(expected, actual)) {
    const lines = part.value.replace(/\n$/, "").split("\n");
    if (part.removed) want.push(...lines);
    else if (part.added) got.push(...lines);
  }
  return { expected: want.join("\n"), actual: got.join("\n") };
}
