// `callflow/runtime/internal` on Node (package.json's "node" condition): internal.ts with node.ts's
// `run`, so a generated module and its host share one runtime and one undici pool.
export * from "./internal.js";
export { run } from "./node.js";
