// `callflow openapi [paths...]`: the OpenAPI 3.1 document `callflow serve` serves at /openapi.json, written
// without serving. Exit 2 when a flow does not load (as serve would refuse to start).
import path from "node:path";
import { expandInputs, writeOutput } from "../files.js";
import { EXIT_OK, EXIT_USAGE, type CommandIO } from "./io.js";
import { load, report } from "./serve.js";

export interface OpenApiArgs {
  readonly patterns: readonly string[];
  /** Whether the document names the bearer scheme. */
  readonly auth: boolean;
  readonly version: string;
  readonly output?: string;
}

export async function openapiCommand(args: OpenApiArgs, io: CommandIO): Promise<number> {
  const files = await expandInputs(args.patterns, io.cwd, ["flow"]);
  const { flows, problems, sources } = await load(files, io);
  if (problems.length > 0) {
    report(problems, sources, io, "openapi");
    return EXIT_USAGE;
  }
  const { openApiDocument } = await import("../../server/openapi.js");
  const text = JSON.stringify(openApiDocument(flows, { version: args.version, auth: args.auth }), null, 2) + "\n";
  if (args.output === undefined) io.stdout(text);
  else await writeOutput(path.resolve(io.cwd, args.output), text);
  return EXIT_OK;
}
