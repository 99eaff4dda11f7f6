// Prometheus metrics through prom-client, one registry per server (so two servers in one process count
// apart). Everything is derived from the host's run records, whose traces are already redacted: labels
// are flow ids, widget ids, outcomes and status classes, never a value.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RunRecord } from "../host/host.js";

export class Metrics {
  readonly registry = new Registry();
  readonly #runs: Counter<"flow" | "outcome" | "exit">;
  readonly #duration: Histogram<"flow" | "outcome">;
  readonly #attempts: Counter<"flow" | "widget" | "status_class">;
  readonly #shed: Counter<"reason">;

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
    this.#runs.inc({ flow: record.flow, outcome: record.outcome, exit: record.widget });
    this.#duration.observe({ flow: record.flow, outcome: record.outcome }, record.durationMs / 1000);
    for (const event of record.trace) {
      if (event.type !== "http.attempt.end") continue;
      const status_class =
        event.status !== undefined ? `${Math.floor(event.status / 100)}xx` : (event.error?.code ?? "unknown");
      this.#attempts.inc({ flow: record.flow, widget: event.widget, status_class });
    }
  }

  shed(reason: string): void {
    this.#shed.inc({ reason });
  }
}
