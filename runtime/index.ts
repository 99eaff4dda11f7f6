// `callflow/runtime` everywhere but Node (package.json's "default" condition): what applications
// running flows import (generated modules import internal.ts, which re-exports `run` from here).
// Sends requests through cross-fetch unless told otherwise; it loads undici only when a host makes an
// undici transport and it sends its first request. On Node, node.ts is the entry. Documented in
// docs/api.md and docs/runtime.md.
import { crossFetchTransport } from "./cross-fetch.js";
import { runWith, type Run } from "./run.js";
export type * from "./flow.js";
export { HTTP_METHODS, VAR_TYPES, HTTP_STEP, type Bound, type DateTime } from "./contract.js";
export { dateTime } from "./types.js";
export type { Run, RunResult } from "./run.js";
export { RUNTIME_DEFAULTS, type RunOptions, type RuntimeLimits, type StepContext } from "./options.js";
export { realClock, type Clock } from "./clock.js";
export { envSecrets, staticSecrets, SECRET_ENV_PREFIX, type SecretProvider } from "./secrets.js";
export type { FetchLike, FetchInit, FetchResponse } from "./fetch.js";
export { crossFetchTransport } from "./cross-fetch.js";
export { fetchTransport, type Transport, type TransportRequest, type Caller, type Abortable } from "./transport.js";
export { UNDICI_DEFAULTS, undiciTransport, type UndiciTransportOptions } from "./undici.js";
export { FlowConfigError, FlowDefinitionError, FlowInputError } from "./errors.js";
export { checkConfig, checkInput } from "./validate.js";
export { MASK } from "./redact.js";
export type {
  StepKind,
  ErrorCode,
  RunError,
  Outcome,
  ExitName,
  VariableChange,
  UnmatchedResult,
  RunStartEvent,
  StepStartEvent,
  HttpAttemptStartEvent,
  HttpRedirectEvent,
  RetryWait,
  HttpAttemptEndEvent,
  StepEndEvent,
  RunEndEvent,
  TraceEvent,
} from "./trace.js";

/** The transport of runs whose options name none: cross-fetch here, undici on Node (node.ts). */
export const defaultTransport = crossFetchTransport;
/** Runs a flow; see docs/runtime.md. */
export const run: Run = runWith(defaultTransport);
