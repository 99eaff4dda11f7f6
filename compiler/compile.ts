// The programmatic compiler: .flow source in, generated module files and diagnostics out.
import path from "node:path";
import type { Flow } from "../grammar/ast.js";
import { checkSource } from "./check.js";
import { hasErrors, type Diagnostic } from "../grammar/diagnostics.js";
import { emitFlowModule } from "./emit-ts.js";
import { canonicalDateTimes } from "./date-times.js";

export type EmitKind = "ts" | "js";

export interface CompileOptions {
  /**
   * The .flow file's path, named in diagnostics, the module header, widget comments and the
   * flow's `source` fields. Give it relative to the project root: an absolute path is made
   * relative to the current directory, and separators become `/`, so output never
   * depends on the machine.
   */
  readonly file: string;
  /** The module generated code imports the runtime from. Default `callflow/runtime/internal`. */
  readonly runtimeImport?: string;
  /** `ts` (default): one TypeScript module. `js`: an ES module plus its `.d.ts`. */
  readonly emit?: EmitKind;
  /**
   * `false` leaves the `.d.ts` out of `emit: "js"`: what `callflow run` and `callflow test` import needs no
   * types, and printing them would load ts-morph.
   */
  readonly declarations?: false;
}

export interface OutputFile {
  /** The file name: the .flow file's name plus `.ts` (or `.js` and `.d.ts`); the caller picks the folder. */
  readonly path: string;
  readonly text: string;
}

export interface CompileResult {
  /** Empty when there is any error diagnostic. */
  readonly files: readonly OutputFile[];
  readonly diagnostics: readonly Diagnostic[];
  /** The parsed flow, when parsing produced one. */
  readonly flow?: Flow;
}

/** The runtime's entry for generated code (package.json's `./runtime/internal`). */
export const DEFAULT_RUNTIME_IMPORT = "callflow/runtime/internal";

/** A relative POSIX path, whatever the platform and whatever form it was given in. */
export function normalizeFile(file: string): string {
  const absolute = path.isAbsolute(file) || path.win32.isAbsolute(file);
  const relative = absolute ? path.relative(process.cwd(), file) : file;
  return path.posix.normalize(relative.replaceAll("\\", "/"));
}

export function compile(source: string, options: CompileOptions): CompileResult {
  const file = normalizeFile(options.file);
  const checked = checkSource(source, file);
  const base = { diagnostics: checked.diagnostics, ...(checked.flow === undefined ? {} : { flow: checked.flow }) };
  if (checked.flow === undefined || hasErrors(checked.diagnostics)) return { files: [], ...base };
  const flow = canonicalDateTimes(checked.flow);

  const runtimeImport = options.runtimeImport ?? DEFAULT_RUNTIME_IMPORT;
  const emit = (kind: "ts" | "js" | "dts"): string => emitFlowModule(flow, { file, runtimeImport, kind });
  const name = path.posix.basename(file);
  const files =
    (options.emit ?? "ts") === "ts"
      ? [{ path: `${name}.ts`, text: emit("ts") }]
      : [
          { path: `${name}.js`, text: emit("js") },
          ...(options.declarations === false ? [] : [{ path: `${name}.d.ts`, text: emit("dts") }]),
        ];
  return { files, ...base };
}
