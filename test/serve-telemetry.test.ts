// The server span of `callflow serve` (server/server.ts, built) continues the caller's traceparent, and the run's
// spans sit under it, when the process registers an OpenTelemetry SDK (here: in-memory, in this process).
import path from "node:path";
import { PassThrough } from "node:stream";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, expect, test } from "vitest";
import { staticSecrets } from "../runtime/index.js";
import { ROOT } from "./helpers/cli.js";
import { startServer as startUpstream, type TestServer } from "./helpers/http-server.js";
import { hostedFixtures } from "./helpers/serve.js";

const { startServer } = (await import(
  path.join(ROOT, "dist/server/server.js")
)) as typeof import("../server/server.js");

const exporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();
let upstream: TestServer;
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  upstream = await startUpstream();
  upstream.route("/orders/a", { json: { shipDate: "today" } });
  server = await startServer({
    flows: await hostedFixtures("lookup.flow"),
    problems: [],
    environment: { config: { api_base: upstream.url }, secrets: staticSecrets({ CRM_TOKEN: "crm-token-value" }) },
    host: "127.0.0.1",
    port: 0,
    authToken: undefined,
    deadlineMs: 5000,
    maxConcurrency: 10,
    bodyLimit: 65536,
    version: "0.0.0",
    log: new PassThrough(),
  });
});
afterAll(async () => {
  await server.close(1000);
  await upstream.close();
  trace.disable();
  context.disable();
  propagation.disable();
});

test("the server span continues the caller's trace and holds the run's spans", async () => {
  const traceId = "0af7651916cd43dd8448eb211c80319c";
  const callerSpan = "b7ad6b7169203331";
  const response = await fetch(`${server.url}/flows/order_lookup/runs`, {
    method: "POST",
    headers: { "content-type": "application/json", traceparent: `00-${traceId}-${callerSpan}-01` },
    body: JSON.stringify({ order_id: "a", email: "a@b.co", pin: "1" }),
  });
  expect(await response.json()).toMatchObject({ outcome: "end", variables: { ship_date: "today" } });
  const spans = exporter.getFinishedSpans();
  const serverSpan = spans.find((span) => span.name === "POST /flows/{flow_id}/runs")!;
  expect(serverSpan.spanContext().traceId).toBe(traceId);
  expect(serverSpan.parentSpanContext?.spanId).toBe(callerSpan);
  expect(serverSpan.attributes["http.response.status_code"]).toBe(200);
  const runSpan = spans.find((span) => span.name === "callflow.flow")!;
  expect(runSpan.parentSpanContext?.spanId).toBe(serverSpan.spanContext().spanId);
  // The upstream call went out with the same trace.
  expect(upstream.hits("/orders/a")[0]!.headers.traceparent).toContain(traceId);
});
