// Compiles a .flow file in memory and imports the generated module, so `callflow run` and `callflow test` execute
// exactly the code `callflow compile` writes (emitted as JavaScript), never a second interpreter.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
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
 * The runtime the generated module imports: the built one next to this file
 * (dist/testing/load-flow.js → dist/runtime/node.js, undici by default), as `callflow/runtime` resolves on Node.
 */
export const RUNTIME_URL: string = new URL("../runtime/node.js", import.meta.url).href;

/** `file` names the flow in diagnostics and traces; give it relative to the working directory. */
export async function loadFlow(source: string, file: string): Promise<LoadResult> {
  const result = compile(source, { file, emit: "js", runtimeImport: RUNTIME_URL });
  const js = result.files.find((output) => output.path.endsWith(".js"));
  if (result.flow === undefined || js === undefined || hasErrors(result.diagnostics))
    return { diagnostics: result.diagnostics };

  // A fresh folder per load: the ESM loader caches by URL, so a reused path would return the
  // previous module. `.mjs` because no package.json there says the file is a module.
  const dir = await mkdtemp(path.join(os.tmpdir(), "callflow-run-"));
  let module: Record<string, unknown>;
  try {
    const target = path.join(dir, js.path.replace(/\.js$/, ".mjs"));
    await writeFile(target, js.text, "utf8");
    module = (await import(pathToFileURL(target).href)) as Record<string, unknown>;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

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
