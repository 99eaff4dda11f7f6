// A worker thread of `callflow compile` (commands/compile.ts): compiles its share of the inputs and posts the
// outcomes, or the failure that stopped it.
import { parentPort, workerData } from "node:worker_threads";
import { compileFiles, type CompileJob, type FileOutcome } from "./compile-files.js";
import { InputError } from "./files.js";

export interface WorkerInput {
  readonly files: readonly string[];
  readonly job: CompileJob;
}

export type WorkerResult =
  { readonly outcomes: readonly FileOutcome[] } | { readonly failure: string; readonly input: boolean };

const { files, job } = workerData as WorkerInput;
let result: WorkerResult;
try {
  result = { outcomes: await compileFiles(files, job) };
} catch (error) {
  result = { failure: error instanceof Error ? error.message : String(error), input: error instanceof InputError };
}
parentPort?.postMessage(result);
