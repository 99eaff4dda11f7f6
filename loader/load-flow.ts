// Compiles a .flow file in memory and imports the generated module, so `callflow run` and `callflow test` execute
// exactly the code `callflow compile` writes (emitted as JavaScript), never a second interpreter. The module is
// imported from a `data:` URL, nothing is written to disk; it imports the runtime by absolute file URL, which
// Node allows from a `data:` module (bare specifiers it does not).
import type { Flow } from "../grammar/ast.js";
import type { FlowDefinition, RunOptions, RunResult, Vars } from "../runtime/index.js";
import { compile } from "../compiler/compile.js";
import { hasErrors, type Diagnostic } from "../grammar/diagnostics.js";
import { moduleNames } from "../compiler/names.js";

/** A generated module, imported: its flow definition and its `run…` function. */
export interface LoadedFlow {
  /** The parsed flow, for declarations and their source locations. */
  readonly ast: Flow;
  readonly definition: FlowDefinition<Vars, string, string>;
  readonly run: (input: Vars, options?: RunOptions) => Promise<RunResult<Vars, string>>;
}

export interface LoadResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Absent when the flow has errors. */
  readonly loaded?: LoadedFlow;
}

/**
 * The runtime the generated module imports: the built one next to this file (dist/loader/load-flow.js →
 * dist/runtime/internal-node.js, undici by default), as `callflow/runtime/internal` resolves on Node.
 */
export const RUNTIME_URL: string = new URL("../runtime/internal-node.js", import.meta.url).href;

/** `file` names the flow in diagnostics and traces; give it relative to the working directory. */
export async function loadFlow(source: string, file: string): Promise<LoadResult> {
  const result = compile(source, { file, emit: "js", declarations: false, runtimeImport: RUNTIME_URL });
  const js = result.files[0];
  if (result.flow === undefined || js === undefined || hasErrors(result.diagnostics))
    return { diagnostics: result.diagnostics };

  // The loader caches modules by URL: the same text gives the same module, which holds no state of its own.
  const module = (await import(moduleUrl(js.text))) as Record<string, unknown>;

  const names = moduleNames(result.flow.id.name);
  const definition = module[names.flow];
  const runFlow = module[names.run];
  if (typeof definition !== "object" || definition === null || typeof runFlow !== "function") {
    throw new Error(`the generated module for ${file} does not export ${names.flow} and ${names.run}`);
  }
  return {
    diagnostics: result.diagnostics,
    loaded: {
      ast: result.flow,
      definition: definition as FlowDefinition<Vars, string, string>,
      run: runFlow as LoadedFlow["run"],
    },
  };
}

/** The URL that imports `text` as an ES module without a file. */
export function moduleUrl(text: string): string {
  return `data:text/javascript;base64,${Buffer.from(text, "utf8").toString("base64")}`;
}
