// `callflow`: the compiler API. The runtime is `callflow/runtime`.
export {
  compile,
  DEFAULT_RUNTIME_IMPORT,
  type CompileOptions,
  type CompileResult,
  type EmitKind,
  type OutputFile,
} from "../compiler/compile.js";
export { parse, type ParseResult } from "../grammar/parse.js";
export { validate } from "../compiler/validate.js";
export { checkSource, type CheckResult } from "../compiler/check.js";
export {
  hasErrors,
  sortDiagnostics,
  messages,
  type Diagnostic,
  type Severity,
  type MessageKey,
} from "../grammar/diagnostics.js";
export type * from "../grammar/ast.js";
