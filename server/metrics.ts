// Prometheus metrics through prom-client, one registry per server (so two servers in one process count
// apart). Everything is derived from the host's run records, whose traces are already redacted: labels
// are flow ids, widget ids, outcomes and status classes, never a value. Each label set's child is bound once
// (prom-client's `labels()`) and kept, so a run does not build and check label objects again: the sets are few
// (flows × outcomes × widgets).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RunRecord } from "../host/host.js";

export class Metrics {
  readonly registry = new Registry();
  readonly #runs: Counter<"flow" | "outcome" | "exit">;
  readonly #duration: Histogram<"flow" | "outcome">;
  readonly #attempts: Counter<"flow" | "widget" | "status_class">;
  readonly #shed: Counter<"reason">;
  /** Bound children by flow, then by `outcome exit`, `outcome`, `widget status_class`. */
  readonly #bound = new Map<string, Bound>();

  constructor(inFlight: () => number) {
    const registers = [this.registry];
    this.#runs = new Counter({
      name: "callflow_runs_total",
      help: "Runs by flow, outcome (end, route, failed, deadline, drained) and exit widget.",
      labelNames: ["flow", "outcome", "exit"],
      registers,
    });
    this.#duration = new Histogram({
      name: "callflow_run_duration_seconds",
      help: "Duration of runs, by flow and outcome.",
      labelNames: ["flow", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.#attempts = new Counter({
      name: "callflow_http_attempts_total",
      help: "HTTP attempts of http widgets, by status class (2xx ... 5xx) or failure (timeout, network, cancelled ...).",
      labelNames: ["flow", "widget", "status_class"],
      registers,
    });
    this.#shed = new Counter({
      name: "callflow_requests_shed_total",
      help: "Requests answered 503 without running: overloaded or draining.",
      labelNames: ["reason"],
      registers,
    });
    new Gauge({
      name: "callflow_runs_in_flight",
      help: "Runs in flight.",
      registers,
      collect() {
        this.set(inFlight());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  run(record: RunRecord): void {
    let bound = this.#bound.get(record.flow);
    if (bound === undefined) {
      bound = { runs: new Map(), duration: new Map(), attempts: new Map() };
      this.#bound.set(record.flow, bound);
    }
    const runKey = `${record.outcome} ${record.widget}`;
    let runs = bound.runs.get(runKey);
    if (runs === undefined) {
      runs = this.#runs.labels({ flow: record.flow, outcome: record.outcome, exit: record.widget });
      bound.runs.set(runKey, runs);
    }
    runs.inc();
    let duration = bound.duration.get(record.outcome);
    if (duration === undefined) {
      duration = this.#duration.labels({ flow: record.flow, outcome: record.outcome });
      bound.duration.set(record.outcome, duration);
    }
    duration.observe(record.durationMs / 1000);
    for (const event of record.trace) {
      if (event.type !== "http.attempt.end") continue;
      const status_class =
        event.status !== undefined ? `${Math.floor(event.status / 100)}xx` : (event.error?.code ?? "unknown");
      const key = `${event.widget} ${status_class}`;
      let attempts = bound.attempts.get(key);
      if (attempts === undefined) {
        attempts = this.#attempts.labels({ flow: record.flow, widget: event.widget, status_class });
        bound.attempts.set(key, attempts);
      }
      attempts.inc();
    }
  }

  shed(reason: string): void {
    this.#shed.inc({ reason });
  }
}

/** One flow's bound children; widget ids hold no space, so `a b` keys are unambiguous. */
interface Bound {
  readonly runs: Map<string, Counter.Internal>;
  readonly duration: Map<string, Histogram.Internal<"flow" | "outcome">>;
  readonly attempts: Map<string, Counter.Internal>;
}
