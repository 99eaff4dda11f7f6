// The programmatic compiler: .flow source in, generated module files and diagnostics out.
import path from "node:path";
import { ts } from "ts-morph";
import type { Flow } from "../grammar/ast.js";
import { checkSource } from "./check.js";
import { hasErrors, type Diagnostic } from "./diagnostics.js";
import { emitFlowModule } from "./emit-ts.js";

export type EmitKind = "ts" | "js";

export interface CompileOptions {
  /**
   * The .flow file's path, named in diagnostics, the module header, widget comments and the
   * flow's `source` fields. Give it relative to the project root: an absolute path is made
   * relative to the current directory, and separators become `/`, so output never
   * depends on the machine.
   */
  readonly file: string;
  /** The module generated code imports the runtime from. Default `callflow/runtime`. */
  readonly runtimeImport?: string;
  /** `ts` (default): one TypeScript module. `js`: an ES module plus its `.d.ts`. */
  readonly emit?: EmitKind;
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

export const DEFAULT_RUNTIME_IMPORT = "callflow/runtime";

/** A relative POSIX path, whatever the platform and whatever form it was given in. */
export function normalizeFile(file: string): string {
  const absolute = path.isAbsolute(file) || path.win32.isAbsolute(file);
  const relative = absolute ? path.relative(process.cwd(), file) : file;
  return path.posix.normalize(relative.replaceAll("\\", "/"));
}

// Generated modules are ES2023 like the package; comments (the header, widget comments) are
// kept. Both transpile calls work on one file at a time with no type information, which the
// generated code allows: every export has an explicit type (isolated declarations).
const JS_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
  isolatedDeclarations: true,
  declaration: true,
  newLine: ts.NewLineKind.LineFeed,
};

/** The generated module as JavaScript and declarations. */
export function transpile(text: string, fileName: string): { js: string; dts: string } {
  const js = ts.transpileModule(text, { compilerOptions: JS_OPTIONS, fileName }).outputText;
  const dts = ts.transpileDeclaration(text, { compilerOptions: JS_OPTIONS, fileName }).outputText;
  return { js, dts };
}

export function compile(source: string, options: CompileOptions): CompileResult {
  const file = normalizeFile(options.file);
  const checked = checkSource(source, file);
  const base = { diagnostics: checked.diagnostics, ...(checked.flow === undefined ? {} : { flow: checked.flow }) };
  if (checked.flow === undefined || hasErrors(checked.diagnostics)) return { files: [], ...base };

  const text = emitFlowModule(checked.flow, { file, runtimeImport: options.runtimeImport ?? DEFAULT_RUNTIME_IMPORT });
  const name = path.posix.basename(file);
  if ((options.emit ?? "ts") === "ts") return { files: [{ path: `${name}.ts`, text }], ...base };
  const { js, dts } = transpile(text, `${name}.ts`);
  return {
    files: [
      { path: `${name}.js`, text: js },
      { path: `${name}.d.ts`, text: dts },
    ],
    ...base,
  };
}
