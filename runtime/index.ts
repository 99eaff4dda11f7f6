// `callflow/runtime`: what generated flow modules and the applications running them import.
// It depends on cross-fetch, jsonpath-plus, @opentelemetry/api and Node builtins (and on undici
// only when an undici transport makes its first request).
export type * from "./flow.js";
export { toText, encodeSegment, prop } from "./helpers.js";
export { run, type RunResult } from "./run.js";
export { RUNTIME_DEFAULTS, type RunOptions, type RuntimeLimits, type StepContext } from "./options.js";
export { envSecrets, staticSecrets, SECRET_ENV_PREFIX, type SecretProvider } from "./secrets.js";
export { defaultFetch, type FetchLike, type FetchInit, type FetchResponse } from "./fetch.js";
export { undiciTransport, type UndiciTransportOptions } from "./undici.js";
export { FlowDefinitionError, FlowInputError } from "./errors.js";
export { checkInput } from "./validate.js";
export { MASK } from "./redact.js";
export { isRetriableStatus, parseRetryAfter } from "./retry.js";
export type * from "./trace.js";
