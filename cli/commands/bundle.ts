// `callflow bundle FLOW… --target aws-lambda --out DIR`: per flow, DIR/<flow id>/index.mjs exporting `handler`
// (Lambda's default `index.handler`; it answers Amazon Connect, function URL and HTTP API events) and
// DIR/<flow id>.zip holding it, the archive `aws lambda update-function-code --zip-file` takes. One ES module
// per flow, made by esbuild: the generated flow, the runtime (with undici), the host core and the handlers
// inlined, so the function needs no node_modules. An environment of callflow.json (--env, else its
// defaultEnvironment) gives each flow its configs, baked in, and its secrets' sources, read at cold start.
// The bytes depend only on the inputs, the environment and the options.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeFile } from "node:fs/promises";
import { compile } from "../../compiler/compile.js";
import { moduleNames } from "../../compiler/names.js";
import { hasErrors, type Diagnostic } from "../../grammar/diagnostics.js";
import { configFor, configsOf } from "../../project/environments.js";
import type { Environment, SecretSource } from "../../project/project-file.js";
import type { Flow } from "../../grammar/ast.js";
import { loadFlow } from "../../loader/load-flow.js";
import { connectClashes, connectOptionProblems, type FlowHandlerOptions } from "../../lambda/index.js";
import { expandInputs, InputError, makeDir, readSource, toPosix } from "../files.js";
import { chooseEnvironment, openProject } from "../project.js";
import { formatReport } from "../report.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CommandIO } from "./io.js";

export const BUNDLE_TARGETS = ["aws-lambda"] as const;

export interface BundleArgs {
  readonly patterns: readonly string[];
  readonly target: (typeof BUNDLE_TARGETS)[number];
  readonly outDir: string;
  /** The environment of callflow.json whose configs are baked in and whose secret sources are read at cold start. */
  readonly env?: string;
  /** callflow.json to read instead of the nearest one above the working folder. */
  readonly project?: string;
  readonly authSecret?: string;
  /** Masked variables the author returns to Amazon Connect. */
  readonly unmasked: readonly string[];
  /** `INPUT=ATTRIBUTE`: an input filled from a contact attribute. */
  readonly attributes: readonly string[];
  readonly customerNumber?: string;
  readonly connectResponse: "string-map" | "json";
  /** A Secrets Manager secret (JSON of names and values) read through the Parameters and Secrets extension. */
  readonly secretsManager?: string;
}

/** Built files: what the runtime's and the handlers' imports resolve to (this file is dist/cli/commands/bundle.js). */
const LAMBDA_ENTRY = fileURLToPath(new URL("../../lambda/index.js", import.meta.url));
const RUNTIME_ENTRY = fileURLToPath(new URL("../../runtime/internal-node.js", import.meta.url));
/** The oldest Lambda Node.js runtime (nodejs22.x) the bundle is made for. */
const NODE_TARGET = "node22";
/** A fixed time for the zip entry (local, as zip stores it): the same inputs give the same archive. */
const ZIP_TIME = new Date(1980, 0, 1);

interface Bundled {
  readonly id: string;
  readonly module: string;
  readonly zip: Uint8Array;
}

export async function bundleCommand(args: BundleArgs, io: CommandIO): Promise<number> {
  let files: string[];
  try {
    files = await expandInputs(args.patterns, io.cwd);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    io.stderr(`callflow bundle: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const attributes: Record<string, string> = {};
  for (const pair of args.attributes) {
    const eq = pair.indexOf("=");
    if (eq <= 0 || eq === pair.length - 1) {
      io.stderr(`callflow bundle: --attribute ${pair}: expected INPUT=ATTRIBUTE\n`);
      return EXIT_USAGE;
    }
    attributes[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  let environment: Environment | undefined;
  try {
    const opened = await openProject(io, args.project);
    if ((args.env !== undefined || args.project !== undefined) && opened?.project === undefined) {
      io.stderr("callflow bundle: --env needs a readable callflow.json (run callflow check)\n");
      return EXIT_USAGE;
    }
    environment = opened?.project === undefined ? undefined : chooseEnvironment(opened.project, args.env);
    // A function is deployed with what it bakes in: a callflow.json with errors is not read half-way.
    if (opened !== undefined && environment !== undefined && hasErrors(opened.diagnostics)) {
      io.stderr(formatReport(opened.diagnostics, new Map([[opened.file, opened.text]]), "pretty", io.color) + "\n");
      io.stderr(`callflow bundle: ${opened.file} has errors; nothing was bundled.\n`);
      return EXIT_USAGE;
    }
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    io.stderr(`callflow bundle: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const options: FlowHandlerOptions = {
    ...(args.authSecret === undefined ? {} : { authSecret: args.authSecret }),
    ...(args.unmasked.length === 0 ? {} : { unmasked: args.unmasked }),
    ...(Object.keys(attributes).length === 0 ? {} : { attributes }),
    ...(args.customerNumber === undefined ? {} : { customerNumber: args.customerNumber }),
    ...(args.connectResponse === "json" ? { response: "json" as const } : {}),
  };

  const outDir = path.resolve(io.cwd, args.outDir);
  const bundled: Bundled[] = [];
  const seen = new Map<string, string>();
  let failed: number | undefined;
  for (const file of files) {
    const result = await bundleFlow(file, options, environment, args.secretsManager, io);
    if (typeof result === "number") {
      failed = Math.max(failed ?? result, result);
      continue;
    }
    const first = seen.get(result.id);
    if (first !== undefined) {
      io.stderr(`callflow bundle: flow ${result.id} of ${file} is also defined in ${first}\n`);
      failed ??= EXIT_FAILURE;
      continue;
    }
    seen.set(result.id, file);
    bundled.push(result);
  }
  if (failed !== undefined) return failed;

  await makeDir(outDir);
  for (const { id, module, zip } of bundled) {
    await makeDir(path.join(outDir, id));
    await writeFile(path.join(outDir, id, "index.mjs"), module, "utf8");
    await writeFile(path.join(outDir, `${id}.zip`), zip);
    // Named as the user named the folder.
    const shown = (file: string): string => toPosix(path.join(args.outDir, file));
    io.stdout(
      `${id}: ${shown(`${id}/index.mjs`)} (${kb(Buffer.byteLength(module))}), ${shown(`${id}.zip`)} (${kb(zip.byteLength)})\n`,
    );
  }
  return EXIT_OK;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/**
 * One flow's module and zip; with the reasons printed, EXIT_FAILURE when it has errors or options that do not
 * fit it, EXIT_USAGE when the environment lacks one of its configs or secret sources.
 */
async function bundleFlow(
  file: string,
  options: FlowHandlerOptions,
  environment: Environment | undefined,
  secretsManager: string | undefined,
  io: CommandIO,
): Promise<Bundled | number> {
  const read = await readSource(io.cwd, file);
  if ("invalid" in read) {
    io.stderr(formatReport([read.invalid], new Map(), "pretty", io.color) + "\n");
    return EXIT_FAILURE;
  }
  const sources = new Map([[file, read.text]]);
  const report = (diagnostics: readonly Diagnostic[]): void => {
    if (diagnostics.length > 0) io.stderr(formatReport(diagnostics, sources, "pretty", io.color) + "\n");
  };
  const { diagnostics, loaded } = await loadFlow(read.text, file);
  report(diagnostics);
  if (loaded === undefined || hasErrors(diagnostics)) {
    io.stderr(`callflow bundle: ${file} has errors; nothing was bundled.\n`);
    return EXIT_FAILURE;
  }
  const problems = connectOptionProblems(loaded.definition, options);
  if (problems.length > 0) {
    for (const problem of problems) io.stderr(`callflow bundle: ${file}: ${problem}\n`);
    return EXIT_FAILURE;
  }
  const baked = environmentOf(loaded.ast, loaded.definition.secrets, environment, options.authSecret, secretsManager);
  if ("problems" in baked) {
    for (const problem of baked.problems) io.stderr(`callflow bundle: ${file}: ${problem}\n`);
    return EXIT_USAGE;
  }
  // The function still answers function URLs and HTTP APIs; an Amazon Connect event fails with the same words.
  for (const clash of connectClashes(loaded.definition))
    io.stderr(`callflow bundle: warning: ${file} cannot answer Amazon Connect: ${clash}\n`);
  const id = loaded.definition.id;
  const generated = compile(read.text, { file, emit: "js", declarations: false, runtimeImport: RUNTIME_ENTRY });
  const flowModule = generated.files[0]?.text ?? "";
  // Secrets: the vault, else the environment's sources (read as the module loads, in Lambda's init phase),
  // else the handlers' default, CALLFLOW_SECRET_NAME variables.
  const secrets =
    secretsManager !== undefined
      ? `, secrets: secretsManagerSecrets(${JSON.stringify(secretsManager)})`
      : baked.sources === undefined
        ? ""
        : `, secrets: await sourcedSecrets(${JSON.stringify(baked.sources)})`;
  const config = Object.keys(baked.config).length === 0 ? "" : `, config: ${JSON.stringify(baked.config)}`;
  const entry = [
    `import { flowHandler, secretsManagerSecrets, sourcedSecrets } from ${JSON.stringify(LAMBDA_ENTRY)};`,
    `import { ${moduleNames(id).flow} as flow } from "callflow:flow";`,
    `export const handler = flowHandler(flow, { ...${JSON.stringify(options)}${config}${secrets} });`,
    "",
  ].join("\n");
  const module = await esbuildModule(entry, flowModule);
  const { zipSync, strToU8 } = await import("fflate");
  const zip = zipSync(
    { "index.mjs": [strToU8(module), { mtime: ZIP_TIME, os: 3, attrs: 0o100644 << 16 }] },
    { level: 9 },
  );
  return { id, module, zip };
}

/** What the environment gives a flow's function: its configs, and its secrets' sources (the auth secret's too). */
function environmentOf(
  flow: Flow,
  secretNames: readonly string[],
  environment: Environment | undefined,
  authSecret: string | undefined,
  secretsManager: string | undefined,
):
  | { readonly config: Record<string, unknown>; readonly sources?: Record<string, SecretSource> }
  | { readonly problems: string[] } {
  const problems: string[] = [];
  if (environment === undefined) {
    for (const decl of configsOf(flow))
      problems.push(`config ${decl.name.name} has no value: bundle with --env NAME, an environment of callflow.json`);
    return problems.length > 0 ? { problems } : { config: {} };
  }
  const config = configFor(flow, environment, [], problems);
  if (secretsManager !== undefined) return problems.length > 0 ? { problems } : { config };
  const sources: Record<string, SecretSource> = {};
  for (const name of new Set([...secretNames, ...(authSecret === undefined ? [] : [authSecret])])) {
    const source = environment.secrets.get(name)?.value;
    if (source === undefined) problems.push(`secret ${name} has no source in environment ${environment.name}`);
    else sources[name] = source;
  }
  return problems.length > 0 ? { problems } : { config, sources };
}

async function esbuildModule(entry: string, flowModule: string): Promise<string> {
  const esbuild = await import("esbuild");
  const virtual: Record<string, string> = { "callflow:entry": entry, "callflow:flow": flowModule };
  const result = await esbuild.build({
    entryPoints: ["callflow:entry"],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: NODE_TARGET,
    minify: true,
    legalComments: "eof",
    logLevel: "silent",
    // The runtime imports cross-fetch only when a run names it as its transport, which a bundle never does
    // (undici is the default on Node): left out, it would be a third of the file (node-fetch, whatwg-url, tr46).
    external: ["cross-fetch"],
    // undici and other CommonJS packages call require() for Node's own modules, which an ES module lacks.
    banner: { js: 'import{createRequire as __cfRequire}from"node:module";const require=__cfRequire(import.meta.url);' },
    plugins: [
      {
        name: "callflow",
        setup(build) {
          build.onResolve({ filter: /^callflow:/ }, (args) => ({ path: args.path, namespace: "callflow" }));
          build.onLoad({ filter: /.*/, namespace: "callflow" }, (args) => ({
            contents: virtual[args.path] ?? "",
            loader: "js",
            resolveDir: path.dirname(LAMBDA_ENTRY),
          }));
          // The host core can also compile .flow sources (loader/), which a bundle never does: leaving the
          // loader out keeps the compiler, Chevrotain and TypeScript out of the function.
          build.onResolve({ filter: /\/loader\/load-flow\.js$/ }, () => ({ path: "load-flow", namespace: "stub" }));
          build.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
            contents: 'export function loadFlow() { throw new Error("a bundled flow is compiled already"); }',
            loader: "js",
          }));
        },
      },
    ],
  });
  return result.outputFiles[0]?.text ?? "";
}
