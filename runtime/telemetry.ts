// OpenTelemetry spans and metrics, through @opentelemetry/api only: a no-op unless the host
// registers an SDK. A span per run (`callflow.flow`), a child span per step, and an HTTP client
// span per attempt following the HTTP semantic conventions, whose `traceparent` (or whatever the
// registered propagator writes) goes out with the request. Every URL and value in them is the
// trace's own, already redacted: nothing here sees a secret or masked value.
import {
  context,
  createNoopMeter,
  metrics,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Histogram,
  type MeterProvider,
  type Span,
} from "@opentelemetry/api";
import type { Outcome, RunError } from "./trace.js";

const NAME = "callflow";
/** The tracer of the registered provider (the API's proxy forwards to one registered later). */
const tracer = trace.getTracer(NAME);

interface Instruments {
  readonly provider: MeterProvider;
  /** False without a meter provider: then the attributes are not worth computing. */
  readonly recording: boolean;
  readonly httpDuration: Histogram;
  readonly runDuration: Histogram;
}

/** What a meter of no registered provider hands out; compared by identity, so a mismatch only costs the attributes. */
const noopHistogram = createNoopMeter().createHistogram(NAME);

/** The meter API has no proxy: instruments are made again when the host registers another provider. */
let instruments: Instruments | undefined;

function meters(): Instruments {
  const provider = metrics.getMeterProvider();
  if (instruments?.provider !== provider) {
    const meter = provider.getMeter(NAME);
    const httpDuration = meter.createHistogram("http.client.request.duration", {
      unit: "s",
      description: "Duration of HTTP client requests.",
    });
    const runDuration = meter.createHistogram("callflow.run.duration", {
      unit: "s",
      description: "Duration of flow runs, by outcome.",
    });
    instruments = { provider, recording: httpDuration !== noopHistogram, httpDuration, runDuration };
  }
  return instruments;
}

/** The server of a URL in trace form (hidden values as the run's marker); absent when a hidden value is part of the host. */
function server(traceUrl: string, hide: (text: string) => string): Attributes {
  let url: URL;
  try {
    url = new URL(traceUrl);
  } catch {
    return {};
  }
  if (hide(url.hostname) !== url.hostname) return {};
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  return { "server.address": url.hostname, "server.port": port };
}

/** One HTTP attempt's client span and what it propagates. */
export interface AttemptSpan {
  /** Headers the registered propagator writes for this span (`traceparent`, ...): sent with the request. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  end(status: number | undefined, error: RunError | undefined, durationMs: number): void;
}

/** An attempt of a run that records no spans: only its duration metric. */
function untracedAttempt(method: string, traceUrl: string, redact: (text: string) => string): AttemptSpan {
  return {
    headers: [],
    end(status, error, durationMs) {
      const { recording, httpDuration } = meters();
      if (!recording) return;
      const metric: Attributes = { "http.request.method": method, ...server(traceUrl, redact) };
      if (status !== undefined) metric["http.response.status_code"] = status;
      const errorType = error?.code ?? (status !== undefined && status >= 400 ? String(status) : undefined);
      if (errorType !== undefined) metric["error.type"] = errorType;
      httpDuration.record(durationMs / 1000, metric);
    },
  };
}

/** The spans of one run. */
export class RunTelemetry {
  readonly #run: Span;
  readonly #runContext: Context;
  /**
   * Whether spans are recorded or a trace context is propagated. Without an SDK (the usual case
   * for hosts that do not trace) every step and attempt skips its span work.
   */
  readonly #traced: boolean;
  #step: Span | undefined;
  #stepContext: Context | undefined;
  /** The run's redactor: error messages quote what servers sent. */
  readonly #redact: (text: string) => string;

  constructor(flow: string, redact: (text: string) => string) {
    this.#redact = redact;
    const active = context.active();
    this.#run = tracer.startSpan(`${NAME}.flow`, { attributes: { "callflow.flow.id": flow } }, active);
    this.#traced = this.#run.isRecording() || trace.getSpanContext(active) !== undefined;
    this.#runContext = this.#traced ? trace.setSpan(active, this.#run) : active;
  }

  startStep(widget: string, kind: string): void {
    if (!this.#traced) return;
    this.#step = tracer.startSpan(
      `${NAME}.step ${widget}`,
      { attributes: { "callflow.widget.id": widget, "callflow.widget.kind": kind } },
      this.#runContext,
    );
    this.#stepContext = trace.setSpan(this.#runContext, this.#step);
  }

  endStep(exit: string | undefined, error: RunError | undefined): void {
    const span = this.#step;
    if (span === undefined) return;
    if (exit !== undefined) span.setAttribute("callflow.exit", exit);
    if (error !== undefined) {
      span.setAttribute("error.type", error.code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: this.#redact(error.message) });
    }
    span.end();
    this.#step = undefined;
  }

  /**
   * Starts the client span of attempt `attempt` (1-based) of `method` to `traceUrl`, the URL in
   * trace form; `hide` shows it as traces do.
   */
  startAttempt(method: string, traceUrl: string, attempt: number, hide: (text: string) => string): AttemptSpan {
    const redact = (text: string): string => this.#redact(hide(text));
    if (!this.#traced) return untracedAttempt(method, traceUrl, redact);
    const host = server(traceUrl, redact);
    const attributes: Attributes = { "http.request.method": method, "url.full": redact(traceUrl), ...host };
    if (attempt > 1) attributes["http.request.resend_count"] = attempt - 1;
    const span = tracer.startSpan(method, { kind: SpanKind.CLIENT, attributes }, this.#stepContext ?? this.#runContext);
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(this.#stepContext ?? this.#runContext, span), carrier);
    const headers = Object.entries(carrier);
    return {
      headers,
      end(status, error, durationMs) {
        const metric: Attributes = { "http.request.method": method, ...host };
        if (status !== undefined) {
          span.setAttribute("http.response.status_code", status);
          metric["http.response.status_code"] = status;
        }
        // As the conventions ask: the runtime's error code, or the status code of a 4xx or 5xx answer.
        const failedStatus = status !== undefined && status >= 400 ? String(status) : undefined;
        const errorType = error?.code ?? failedStatus;
        if (errorType !== undefined) {
          span.setAttribute("error.type", errorType);
          span.setStatus({ code: SpanStatusCode.ERROR, message: redact(error?.message ?? `status ${status}`) });
          metric["error.type"] = errorType;
        }
        span.end();
        meters().httpDuration.record(durationMs / 1000, metric);
      },
    };
  }

  end(outcome: Outcome<string>, durationMs: number): void {
    const span = this.#run;
    if (this.#traced) {
      span.setAttribute("callflow.outcome", outcome.kind);
      span.setAttribute("callflow.exit_widget", outcome.widget);
      if (outcome.kind === "failed") {
        span.setAttribute("error.type", outcome.error.code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: this.#redact(outcome.error.message) });
      }
    }
    span.end();
    const { recording, runDuration } = meters();
    if (recording) runDuration.record(durationMs / 1000, { "callflow.outcome": outcome.kind });
  }
}
