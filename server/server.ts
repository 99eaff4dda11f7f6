// `callflow serve`: Fastify over the host core (host/). Fastify parses bodies (JSON, and forms through
// @fastify/formbody), enforces the body limit and the header, request and connection timeouts, logs JSON
// lines through pino, and closes gracefully; the host validates, runs with a deadline, sheds and drains.
// The process keeps no state between requests but the flows, counters and the status page's recent runs.
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import formbody from "@fastify/formbody";
import {
  context,
  defaultTextMapGetter,
  INVALID_TRACEID,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import type { DestinationStream } from "pino";
import type { FetchLike, Transport } from "../runtime/index.js";
import { Host, type FlowProblem, type HostedFlow, type HostEnvironment, type HostResponse } from "../host/host.js";
import { Metrics } from "./metrics.js";
import { openApiDocument } from "./openapi.js";
import { RunStats } from "./status.js";

export interface ServeOptions {
  readonly flows: readonly HostedFlow[];
  /** Files that could not be served, shown by /readyz. */
  readonly problems: readonly FlowProblem[];
  readonly environment: HostEnvironment;
  readonly host: string;
  /** 0 takes a free port. */
  readonly port: number;
  /** The bearer token callers must send; undefined serves without authentication. */
  readonly authToken: string | undefined;
  readonly deadlineMs: number;
  readonly maxConcurrency: number;
  readonly bodyLimit: number;
  /** callflow's version, for the OpenAPI document. */
  readonly version: string;
  /** Where the JSON log lines go: for a process, an asynchronous pino destination flushed at exit. */
  readonly log: DestinationStream;
  /** The runtime's transport, for tests; default the runtime's own. */
  readonly transport?: Transport | FetchLike;
}

export const SERVE_DEFAULTS = {
  /** Twilio Studio reads at most 64 kB of a response; a request to us is no bigger. */
  bodyLimit: 64 * 1024,
  drainTimeoutMs: 10_000,
  /** A client slower than this to send its headers, or its whole request, is cut off. */
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
} as const;

export interface Server {
  /** `http://HOST:PORT` */
  readonly url: string;
  readonly host: Host;
  /** Serves a new version of a flow (watch mode), or records why a file cannot be served; /readyz shows it. */
  reload(file: string, result: { flow: HostedFlow } | { problem: FlowProblem }): void;
  /**
   * /readyz and new runs turn 503 while runs in flight get `drainTimeoutMs`, then are cancelled (503); then the
   * listener closes.
   */
  close(drainTimeoutMs: number): Promise<void>;
}

const RUNS = "/flows/:flow_id/runs";
const RUNS_SPAN = "/flows/{flow_id}/runs";
const SPAN_NAME = `POST ${RUNS_SPAN}`;
const OPEN_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz", "/metrics"]);
/** Read when the process has no propagator registered (no OpenTelemetry SDK): the caller's trace id still reaches the logs. */
const w3c = new W3CTraceContextPropagator();
const tracer = trace.getTracer("callflow");

function callerContext(headers: FastifyRequest["headers"]): Context {
  if (propagation.fields().length > 0) return propagation.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  return headers.traceparent === undefined ? ROOT_CONTEXT : w3c.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** Constant-time: both sides are hashed to one length first, so neither the length nor a prefix leaks. */
function bearerCheck(token: string): (header: string | undefined) => boolean {
  const expected = createHash("sha256").update(token).digest();
  return (header) => {
    const given = header?.startsWith("Bearer ") === true ? header.slice("Bearer ".length) : "";
    return timingSafeEqual(createHash("sha256").update(given).digest(), expected) && given !== "";
  };
}

/** Fastify's own messages can quote the body (a JSON syntax error does): every client error gets a fixed one. */
function clientError(status: number, code: string | undefined): { code: string; message: string } {
  // As the host core answers a body that does not parse (parseBody, which the Lambda handlers use).
  if (code === "FST_ERR_CTP_INVALID_JSON_BODY") return { code: "invalid-json", message: "the body is not valid JSON" };
  switch (status) {
    case 413:
      return { code: "too-large", message: "the body is larger than the limit" };
    case 415:
      return { code: "unsupported-media-type", message: "send application/json or application/x-www-form-urlencoded" };
    case 408:
      return { code: "timeout", message: "the request took too long to arrive" };
    default:
      return { code: "bad-request", message: "the request could not be read (is the body valid JSON?)" };
  }
}

export async function startServer(options: ServeOptions): Promise<Server> {
  const host = new Host({
    flows: options.flows,
    environment: options.environment,
    deadlineMs: options.deadlineMs,
    maxConcurrency: options.maxConcurrency,
    ...(options.transport === undefined ? {} : { transport: options.transport }),
  });
  const problems = new Map(options.problems.map((problem) => [problem.file, problem]));
  const metrics = new Metrics(() => host.inFlight);
  const stats = new RunStats();
  let ready = true;

  const app: FastifyInstance = Fastify({
    logger: { level: "info", stream: options.log },
    // One line per run is logged, by the route: none per request.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request: the two lines a request can log name its id themselves.
    childLoggerFactory: (logger) => logger,
    genReqId: () => randomUUID(),
    bodyLimit: options.bodyLimit,
    requestTimeout: SERVE_DEFAULTS.requestTimeoutMs,
    // Node checks these timeouts every connectionsCheckingInterval (30 s by default): once a second instead, so
    // a client dripping its headers is cut near the limit, not up to half a minute later.
    http: { headersTimeout: SERVE_DEFAULTS.headersTimeoutMs, connectionsCheckingInterval: 1000 },
    // An idle socket outlives the longest run by a margin.
    connectionTimeout: options.deadlineMs + SERVE_DEFAULTS.requestTimeoutMs,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  });
  // Bodies are JSON or forms (Twilio Studio's default); anything else is 415.
  app.removeContentTypeParser("text/plain");
  // An empty body is no inputs whatever its declared type, as the host core reads one (parseBody): Fastify parses
  // no body that has no content type, where it would refuse an empty one declared JSON.
  // Callback hooks, not async ones: no promise per request. A draining server tells keep-alive clients to
  // reconnect elsewhere.
  app.addHook("onRequest", (request, reply, done) => {
    if (request.headers["content-length"] === "0") delete request.headers["content-type"];
    if (!ready) reply.header("connection", "close");
    done();
  });
  await app.register(formbody);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) return reply.code(status).send({ error: clientError(status, error.code) });
    request.log.error({ reqId: request.id, code: error.code ?? error.name }, "internal error");
    return reply.code(500).send({ error: { code: "internal", message: "internal error", requestId: request.id } });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: { code: "not-found", message: "no such path" } }),
  );

  if (options.authToken !== undefined) {
    const check = bearerCheck(options.authToken);
    app.addHook("onRequest", (request, reply, done) => {
      if (OPEN_PATHS.has(request.url.split("?")[0]!) || check(request.headers.authorization)) return done();
      void reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="callflow"')
        .send({ error: { code: "unauthorized", message: "send Authorization: Bearer <token>" } });
    });
  }

  app.post<{ Params: { flow_id: string } }>(RUNS, async (request, reply) => {
    const flowId = request.params.flow_id;
    const parent = callerContext(request.headers);
    const span = tracer.startSpan(SPAN_NAME, { kind: SpanKind.SERVER }, parent);
    // The caller went away: its run is cancelled.
    const controller = new AbortController();
    reply.raw.once("close", () => {
      if (!reply.raw.writableFinished) controller.abort();
    });
    const run = {
      flow: flowId,
      body: request.body ?? {},
      encoding: (request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")
        ? ("form" as const)
        : ("json" as const),
      controller,
    };
    // Without an OpenTelemetry SDK the span records nothing: no attributes, no context to carry.
    const recording = span.isRecording();
    let response: HostResponse;
    if (recording) {
      span.setAttributes({ "http.request.method": "POST", "http.route": RUNS_SPAN, "callflow.flow.id": flowId });
      response = await context.with(trace.setSpan(parent, span), () => host.run(run));
      span.setAttribute("http.response.status_code", response.status);
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    } else response = await host.run(run);
    const { record } = response;
    if (record !== undefined) {
      metrics.run(record);
      stats.record(record);
      // The caller's trace id reaches the log line with or without an SDK (a non-recording span carries it).
      const traceId = span.spanContext().traceId;
      request.log.info(
        {
          reqId: request.id,
          flow: record.flow,
          outcome: record.outcome,
          exit: record.widget,
          status: record.status,
          durationMs: Math.round(record.durationMs * 100) / 100,
          ...(record.error === undefined ? {} : { error: record.error.code }),
          ...(traceId === INVALID_TRACEID ? {} : { traceId }),
        },
        "run",
      );
    } else if (response.status === 503) {
      const body = response.body as { error: { code: string } };
      metrics.shed(body.error.code);
    }
    // A run that finished during a drain: its client reconnects elsewhere.
    if (!ready) reply.header("connection", "close");
    return sendHost(reply, response);
  });
  app.route({
    method: ["GET", "PUT", "PATCH", "DELETE"],
    url: RUNS,
    handler: (_request, reply) =>
      reply
        .code(405)
        .header("allow", "POST")
        .send({ error: { code: "method-not-allowed", message: "runs are started with POST" } }),
  });

  app.get("/", async (_request, reply) => reply.type("text/html; charset=utf-8").send(await stats.page(host.flows)));
  app.get("/openapi.json", () =>
    openApiDocument(host.flows, { version: options.version, auth: options.authToken !== undefined }),
  );
  app.get("/healthz", () => ({ status: "ok" }));
  app.get("/readyz", (_request, reply) => {
    const flows = host.flows.map((flow) => flow.id).sort();
    const listed = [...problems.values()].map((problem) => ({
      file: problem.file,
      message: problem.message,
      diagnostics: problem.diagnostics.map((d) => ({
        code: d.code,
        severity: d.severity,
        message: d.message,
        line: d.span.line,
        column: d.span.column,
      })),
    }));
    const status = !ready ? "draining" : flows.length === 0 ? "no-flows" : "ready";
    return reply.code(status === "ready" ? 200 : 503).send({ status, flows, problems: listed });
  });
  app.get("/metrics", async (_request, reply) =>
    reply.header("content-type", metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  await app.listen({
    host: options.host,
    port: options.port,
    listenTextResolver: (address) => `listening on ${address}`,
  });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;

  return {
    url: `http://${shownHost}:${port}`,
    host,
    reload(file, result) {
      if ("flow" in result) {
        host.replace(result.flow);
        problems.delete(file);
      } else problems.set(file, result.problem);
    },
    async close(drainTimeoutMs) {
      // The listener stays open while runs drain, so probes read /readyz's 503 and late runs get a 503 with
      // Retry-After rather than a refused connection; it closes when the last run has been answered.
      ready = false;
      await host.drain(drainTimeoutMs);
      await app.close();
    },
  };
}

function sendHost(reply: FastifyReply, response: HostResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body);
}
