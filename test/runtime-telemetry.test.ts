// OpenTelemetry: the spans and metrics a run emits through @opentelemetry/api, recorded by the
// SDK's in-memory exporters, against a real node:http server that records the `traceparent` it
// receives, over every transport.
import { metrics, propagation, trace, type Attributes } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { MeterProvider, MetricReader, type HistogramMetricData } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MASK, run, staticSecrets } from "../runtime/index.js";
import { encodeSegment, toText } from "../runtime/helpers.js";
import { httpFlow, v } from "./helpers/flows.js";
import { startServer, type TestServer } from "./helpers/http-server.js";
import { TRANSPORTS } from "./helpers/transports.js";

/** A reader the test collects from on demand. */
class Reader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const exporter = new InMemorySpanExporter();
const reader = new Reader();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const meterProvider = new MeterProvider({ readers: [reader] });

let server: TestServer;
let refused: string;
beforeAll(async () => {
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  server = await startServer();
  const closed = await startServer();
  refused = closed.url;
  await closed.close();
});
afterAll(async () => {
  await server.close();
  trace.disable();
  metrics.disable();
  propagation.disable();
});
beforeEach(() => exporter.reset());

const TOKEN = "tok'en/ secret-9911";
const PIN = "pin-4242-masked";

const byName = (spans: readonly ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

async function histogram(name: string): Promise<HistogramMetricData | undefined> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((metric): metric is HistogramMetricData => metric.descriptor.name === name);
}

describe.each(TRANSPORTS)("with %s", (name, fetch) => {
  it("emits a run span, step spans and an HTTP client span per attempt, and propagates traceparent", async () => {
    const path = `/otel-${name}`;
    server.route(path, { status: 503 }, { json: { ok: true } });
    const flow = httpFlow(server.url, { url: () => server.url + path, retry: 1 });
    const result = await run(flow, {}, { transport: fetch, retryBaseDelayMs: 1, retryMaxDelayMs: 1 });
    expect(result.outcome.widget).toBe("ok");

    const spans = exporter.getFinishedSpans();
    const [runSpan] = byName(spans, "callflow.flow");
    expect(runSpan?.attributes).toEqual({
      "callflow.flow.id": "test_flow",
      "callflow.outcome": "end",
      "callflow.exit_widget": "ok",
    });
    const [step] = byName(spans, "callflow.step call");
    expect(parentOf(step!)).toBe(runSpan!.spanContext().spanId);
    expect(step!.attributes).toMatchObject({
      "callflow.widget.id": "call",
      "callflow.widget.kind": "http",
      "callflow.exit": "success",
    });
    expect(byName(spans, "callflow.step ok")[0]!.attributes).toMatchObject({ "callflow.widget.kind": "end" });

    const attempts = byName(spans, "GET");
    expect(attempts).toHaveLength(2);
    const port = Number(new URL(server.url).port);
    expect(attempts.map((s) => s.attributes)).toEqual([
      {
        "http.request.method": "GET",
        "url.full": server.url + path,
        "server.address": "127.0.0.1",
        "server.port": port,
        "http.response.status_code": 503,
        "error.type": "503",
      },
      {
        "http.request.method": "GET",
        "url.full": server.url + path,
        "server.address": "127.0.0.1",
        "server.port": port,
        "http.request.resend_count": 1,
        "http.response.status_code": 200,
      },
    ]);
    expect(attempts[0]!.status.code).toBe(2); // ERROR
    for (const attempt of attempts) {
      expect(attempt.kind).toBe(2); // CLIENT
      expect(parentOf(attempt)).toBe(step!.spanContext().spanId);
    }
    // Each request carried its own attempt span's context.
    const received = server.hits(path).map((r) => r.headers.traceparent);
    expect(received).toEqual(attempts.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));
  });

  it("marks a failed run and attempt with their error type and status", async () => {
    const result = await run(httpFlow(refused, {}), {}, { transport: fetch });
    expect(result.outcome.widget).toBe("bad");
    const spans = exporter.getFinishedSpans();
    const [attempt] = byName(spans, "GET");
    expect(attempt!.attributes["error.type"]).toBe("network");
    expect(attempt!.status).toEqual({ code: 2, message: "connection refused (ECONNREFUSED)" });
    expect(byName(spans, "callflow.step call")[0]!.attributes).toMatchObject({
      "callflow.exit": "fail",
      "error.type": "network",
    });
  });
});

it("puts no secret or masked value in any span, attribute or status", async () => {
  const flow = httpFlow(
    server.url,
    {
      secrets: ["TOKEN"],
      url: (vars, s) => `${server.url}/otel-hidden/${encodeSegment(s.TOKEN)}?pin=${encodeSegment(vars.pin)}`,
      authorization: (_v, s) => `Bearer ${toText(s.TOKEN)}`,
      headers: (vars) => [["X-Pin", toText(vars.pin)]],
      results: [{ source: { kind: "json", path: "$.url" }, target: "echoed", type: "string" }],
    },
    { pin: v.global("string", { masked: true }), echoed: v.local("string") },
    ["TOKEN"],
  );
  const host = new URL(server.url);
  const hiddenHost = httpFlow(
    server.url,
    { url: (vars) => `http://${toText(vars.pin)}:${host.port}/` },
    {
      pin: v.global("string", { masked: true }),
    },
  );
  await run(flow, { pin: PIN }, { secrets: staticSecrets({ TOKEN }) });
  await run(
    httpFlow(refused, { secrets: ["TOKEN"], url: (_v, s) => `${refused}/${encodeSegment(s.TOKEN)}` }, {}, ["TOKEN"]),
    {},
    {
      secrets: staticSecrets({ TOKEN }),
    },
  );
  await run(hiddenHost, { pin: "127.0.0.1" });
  const spans = exporter.getFinishedSpans();
  const text = JSON.stringify(
    spans.map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events })),
  );
  for (const value of [TOKEN, PIN])
    for (const form of [value, encodeURIComponent(value), new URLSearchParams([["", value]]).toString().slice(1)])
      expect(text).not.toContain(form);
  const urls = byName(spans, "GET").map((s) => s.attributes["url.full"]);
  expect(urls).toEqual([
    `${server.url}/otel-hidden/${MASK}?pin=${MASK}`,
    `${refused}/${MASK}`,
    `http://${MASK}:${host.port}/`,
  ]);
  // A hidden host is no server.address.
  expect(byName(spans, "GET")[2]!.attributes).not.toHaveProperty("server.address");
});

it("records http.client.request.duration and callflow.run.duration with their attributes", async () => {
  const path = "/otel-metrics";
  server.route(path, { status: 404 });
  await run(httpFlow(server.url, { url: () => server.url + path }), {}, {});
  const http = await histogram("http.client.request.duration");
  expect(http?.descriptor.unit).toBe("s");
  const point = http?.dataPoints.find((p) => p.attributes["http.response.status_code"] === 404);
  expect(point?.attributes).toEqual<Attributes>({
    "http.request.method": "GET",
    "server.address": "127.0.0.1",
    "server.port": Number(new URL(server.url).port),
    "http.response.status_code": 404,
    "error.type": "404",
  });
  const runs = await histogram("callflow.run.duration");
  expect(runs?.dataPoints.map((p) => p.attributes["callflow.outcome"])).toContain("end");
});
