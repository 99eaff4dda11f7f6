// `callflow/runtime` on Node (package.json's "node" condition): the same API as index.ts, with the
// undici transport as the default, one keep-alive pool per process. undici is imported on the first
// request, so a flow that makes none never loads it.
import { runWith, type Run } from "./run.js";
import { undiciTransport } from "./undici.js";

export * from "./index.js";

/** The transport of runs whose options name none: undici's Dispatcher API on a shared keep-alive Agent. */
export const defaultTransport = undiciTransport();
/** Runs a flow; see docs/runtime.md. */
export const run: Run = runWith(defaultTransport);
