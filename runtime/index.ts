// `callflow/runtime`: what generated flow modules and the applications running them import.
// It depends on cross-fetch, jsonpath-plus, @opentelemetry/api and Node builtins (and on undici
// only when an undici transport makes its first request). Documented in docs/api.md.
export type * from "./flow.js";
export { HTTP_METHODS, VAR_TYPES, HTTP_STEP, type Bound, type DateTime } from "./contract.js";
export { dateTime } from "./types.js";
export { toText, encodeSegment, prop } from "./helpers.js";
export { run, type RunResult } from "./run.js";
export { RUNTIME_DEFAULTS, type RunOptions, type RuntimeLimits, type StepContext } from "./options.js";
export { realClock, type Clock } from "./clock.js";
export { envSecrets, staticSecrets, SECRET_ENV_PREFIX, type SecretProvider } from "./secrets.js";
export { defaultFetch, type FetchLike, type FetchInit, type FetchResponse } from "./fetch.js";
export { undiciTransport, type UndiciTransportOptions } from "./undici.js";
export { FlowDefinitionError, FlowInputError } from "./errors.js";
export { checkInput } from "./validate.js";
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
