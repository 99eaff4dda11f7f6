// `callflow/runtime/internal` everywhere but Node: what generated flow modules import, and all they
// import: `run`, the types they are written in and the helpers their expressions call. For generated
// code only, with no semver promise: it changes with the compiler that writes the modules (docs/api.md).
export { run, type FlowDefinition, type RunOptions, type RunResult } from "./index.js";
export { encodeSegment, prop, toText } from "./helpers.js";
