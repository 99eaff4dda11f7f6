// Trace events as a readable timeline for `callflow run`: each widget as it starts and ends,
// each HTTP attempt, retries with their wait, variables set, the exit taken and the outcome.
// Events arrive already redacted by the runtime (secrets and masked values are `••••`); this
// file only formats them, and escapes control characters so server text cannot drive the terminal.
import { performance } from "node:perf_hooks";
import pc from "picocolors";
import type {
  HttpAttemptEndEvent,
  RetryWait,
  RunEndEvent,
  RunError,
  StepEndEvent,
  TraceEvent,
} from "../runtime/index.js";
import { MASK } from "../runtime/index.js";

type Colors = ReturnType<typeof pc.createColors>;

/** Under the step number column. */
const INDENT = "     ";
const LONGEST_VALUE = 80;

/** Text as is, but control characters (ESC, CR, ...) escaped the way JSON escapes them. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => JSON.stringify(ch).slice(1, -1));
}

/** `code: message`, or the message alone when it starts with the code ("status 404"). */
function errorText(error: RunError): string {
  const message = clean(error.message);
  return message.startsWith(error.code) ? message : `${error.code}: ${message}`;
}

/** A variable's value: JSON, shortened; a masked value is the bare mask. */
export function formatValue(value: unknown): string {
  if (value === MASK) return MASK;
  const text = value === undefined ? "unset" : (JSON.stringify(value) ?? typeof value);
  return text.length > LONGEST_VALUE ? `${text.slice(0, LONGEST_VALUE - 1)}…` : text;
}

export function formatDuration(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return `${ms >= 10 ? Math.round(ms) : Math.round(ms * 10) / 10} ms`;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} kB` : `${bytes} B`;
}

function assignments(
  variables: Readonly<Record<string, unknown>> | readonly { name: string; value: unknown }[],
): string {
  const pairs = Array.isArray(variables) ? variables.map((c) => [c.name, c.value] as const) : Object.entries(variables);
  return pairs.map(([name, value]) => `${name} = ${formatValue(value)}`).join(", ");
}

function widgetLabel(kind: string, widget: string, name: string | undefined, c: Colors): string {
  return `${c.bold(kind)} ${c.bold(c.cyan(widget))}${name === undefined ? "" : ` ${JSON.stringify(name)}`}`;
}

function statusText(status: number, c: Colors): string {
  const text = String(status);
  if (status < 300) return c.green(text);
  if (status < 400) return c.cyan(text);
  return status < 500 ? c.yellow(text) : c.red(text);
}

function retryText(retry: RetryWait): string {
  const why = retry.reason === "retry-after" ? `Retry-After${retry.capped ? ", capped" : ""}` : "backoff";
  return `retrying in ${formatDuration(retry.waitMs)} (${why})`;
}

function attemptEnd(event: HttpAttemptEndEvent<string>, c: Colors): string[] {
  const parts = [
    event.status === undefined ? c.red("no response") : statusText(event.status, c),
    formatDuration(event.durationMs),
  ];
  if (event.bytes !== undefined && event.status !== undefined) parts.push(formatBytes(event.bytes));
  if (event.error !== undefined && (event.status === undefined || event.error.code !== "status")) {
    parts.push(c.red(errorText(event.error)));
  }
  const lines = [`${INDENT}${c.gray("←")} ${parts.join("  ")}`];
  if (event.retry !== undefined) lines.push(`${INDENT}${c.yellow("↻")} ${c.yellow(retryText(event.retry))}`);
  return lines;
}

function stepEnd(event: StepEndEvent<string>, c: Colors): string[] {
  const lines: string[] = [];
  if (event.changes.length > 0) lines.push(`${INDENT}${c.magenta("set")} ${clean(assignments(event.changes))}`);
  for (const missing of event.unmatched ?? []) {
    lines.push(`${INDENT}${c.gray(`no match for ${clean(missing.source)}: ${missing.target} keeps its value`)}`);
  }
  if (event.errorResults !== undefined)
    lines.push(`${INDENT}${c.yellow(`error_results not mapped: ${errorText(event.errorResults)}`)}`);
  if (event.message !== undefined) lines.push(`${INDENT}${c.magenta("send")} ${JSON.stringify(event.message)}`);
  if (event.queue !== undefined) lines.push(`${INDENT}${c.magenta("route")} to queue ${JSON.stringify(event.queue)}`);
  if (event.error !== undefined) lines.push(`${INDENT}${c.red(`✖ ${errorText(event.error)}`)}`);
  if (event.exit !== undefined) {
    const exit = event.exit === "when" && event.condition !== undefined ? `when ${clean(event.condition)}` : event.exit;
    const exitText = event.exit === "fail" ? c.red(exit) : event.exit === "success" ? c.green(exit) : exit;
    const took = event.kind === "http" || event.durationMs >= 1 ? `  ${c.gray(formatDuration(event.durationMs))}` : "";
    lines.push(`${INDENT}exit ${exitText} → ${event.next ?? "?"}${took}`);
  }
  return lines;
}

function runEnd(event: RunEndEvent<string>, c: Colors): string[] {
  const summary = c.gray(`${event.steps} step${event.steps === 1 ? "" : "s"}, ${formatDuration(event.durationMs)}`);
  const outcome = event.outcome;
  switch (outcome.kind) {
    case "end":
      return ["", `${c.green("✔ end")} at ${outcome.widget}  ${summary}`];
    case "route":
      return ["", `${c.green("✔ route")} to queue ${JSON.stringify(outcome.queue)} at ${outcome.widget}  ${summary}`];
    case "failed":
      return ["", `${c.red(`✖ failed at ${outcome.widget}`)}: ${errorText(outcome.error)}  ${summary}`];
  }
}

/** The lines one event prints (no trailing newlines). */
export function formatEvent(event: TraceEvent, color: boolean): string[] {
  const c = pc.createColors(color);
  switch (event.type) {
    case "run.start": {
      const name = event.name === undefined ? "" : ` ${JSON.stringify(event.name)}`;
      const lines = [`${c.bold("▶ run")} ${c.bold(event.flow)}${name}  ${c.gray(event.source)}`];
      if (Object.keys(event.variables).length > 0)
        lines.push(`  ${c.gray("with")} ${clean(assignments(event.variables))}`);
      return [...lines, ""];
    }
    case "step.start":
      return [
        `${String(event.step).padStart(3)}  ${widgetLabel(event.kind, event.widget, event.name, c)}  ${c.gray(event.source)}`,
      ];
    case "http.attempt.start":
      return [
        `${INDENT}${c.gray("→")} ${c.bold(event.method)} ${clean(event.url)}  ${c.gray(`attempt ${event.attempt}/${event.maxAttempts}`)}`,
      ];
    case "http.redirect":
      return [
        `${INDENT}${c.gray("↪")} ${statusText(event.status, c)} redirect to ${clean(event.to)} (${event.method})`,
      ];
    case "http.attempt.end":
      return attemptEnd(event, c);
    case "step.end":
      return stepEnd(event, c);
    case "run.end":
      return runEnd(event, c);
  }
}

export interface TimelineOptions {
  readonly write: (text: string) => void;
  readonly color: boolean;
  /** Redraw a spinner with the elapsed time while a request or a retry wait is pending. */
  readonly live: boolean;
}

/** A live spinner only on a terminal, and not under CI where logs keep every redraw. */
export function liveOutput(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  return isTTY && (env["CI"] === undefined || env["CI"] === "");
}

const FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
const FRAME_MS = 80;
/** Back to the start of the line and erase it. */
const CLEAR_LINE = "\r\x1b[2K";

/** What is pending while the spinner turns: a response, or the wait before the next attempt. */
type Pending =
  { readonly kind: "response"; readonly since: number } | { readonly kind: "retry"; readonly until: number };

/** Prints events as they arrive; on a live terminal a spinner shows what is being waited for. */
export class Timeline {
  readonly #options: TimelineOptions;
  #pending: Pending | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #frame = 0;

  constructor(options: TimelineOptions) {
    this.#options = options;
  }

  event(event: TraceEvent): void {
    this.#stopSpinner();
    this.#options.write(
      formatEvent(event, this.#options.color)
        .map((line) => `${line}\n`)
        .join(""),
    );
    if (!this.#options.live) return;
    if (event.type === "http.attempt.start") this.#startSpinner({ kind: "response", since: performance.now() });
    if (event.type === "http.attempt.end" && event.retry !== undefined) {
      this.#startSpinner({ kind: "retry", until: performance.now() + event.retry.waitMs });
    }
  }

  /** Stops the spinner; call once the run is over, however it ended. */
  close(): void {
    this.#stopSpinner();
  }

  #startSpinner(pending: Pending): void {
    this.#pending = pending;
    this.#draw();
    this.#timer = setInterval(() => this.#draw(), FRAME_MS);
    // The spinner alone never keeps the process alive.
    this.#timer.unref();
  }

  #draw(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    const c = pc.createColors(this.#options.color);
    const frame = FRAMES[this.#frame++ % FRAMES.length] ?? "";
    const now = performance.now();
    // Tenths of a second: finer digits would flicker at this redraw rate.
    const seconds = (ms: number): string => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
    const text =
      pending.kind === "response"
        ? `waiting for the response ${seconds(now - pending.since)}`
        : `next attempt in ${seconds(pending.until - now)}`;
    this.#options.write(`${CLEAR_LINE}${INDENT}${c.cyan(frame)} ${c.gray(text)}`);
  }

  #stopSpinner(): void {
    if (this.#pending === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
    this.#options.write(CLEAR_LINE);
  }
}
