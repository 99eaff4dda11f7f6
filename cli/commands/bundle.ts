// `callflow bundle FLOW… --target aws-lambda --out DIR`: per flow, DIR/<flow id>/index.mjs exporting `handler`
// (Lambda's default `index.handler`; it answers Amazon Connect, function URL and HTTP API events) and
// DIR/<flow id>.zip holding it, the archive `aws lambda update-function-code --zip-file` takes. One ES module
// per flow, made by esbuild: the generated flow, the runtime (with undici), the host core and the handlers
// inlined, so the function needs no node_modules. The bytes depend only on the inputs and the options.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeFile } from "node:fs/promises";
import { compile } from "../../compiler/compile.js";
import { moduleNames } from "../../compiler/names.js";
import { hasErrors, type Diagnostic } from "../../grammar/diagnostics.js";
import { loadFlow } from "../../loader/load-flow.js";
import { connectClashes, connectOptionProblems, type FlowHandlerOptions } from "../../lambda/index.js";
import { expandInputs, InputError, makeDir, readSource, toPosix } from "../files.js";
import { formatReport } from "../report.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CommandIO } from "./io.js";

export const BUNDLE_TARGETS = ["aws-lambda"] as const;

export interface BundleArgs {
  readonly patterns: readonly string[];
  readonly target: (typeof BUNDLE_TARGETS)[number];
  readonly outDir: string;
  /** An environment of callflow.json; accepted, not yet read (docs/aws-lambda.md, "Environments"). */
  readonly env?: string;
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
const RUNTIME_ENTRY = fileURLToPath(new URL("../../runtime/node.js", import.meta.url));
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
  if (args.env !== undefined)
    io.stderr(
      `callflow bundle: --env ${args.env}: environments are not read yet; no config is baked in (docs/aws-lambda.md)\n`,
    );
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
  let failed = false;
  for (const file of files) {
    const result = await bundleFlow(file, options, args.secretsManager, io);
    if (result === undefined) {
      failed = true;
      continue;
    }
    const first = seen.get(result.id);
    if (first !== undefined) {
      io.stderr(`callflow bundle: flow ${result.id} of ${file} is also defined in ${first}\n`);
      failed = true;
      continue;
    }
    seen.set(result.id, file);
    bundled.push(result);
  }
  if (failed) return EXIT_FAILURE;

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

/** One flow's module and zip; undefined (with the reasons printed) when it has errors or options that do not fit it. */
async function bundleFlow(
  file: string,
  options: FlowHandlerOptions,
  secretsManager: string | undefined,
  io: CommandIO,
): Promise<Bundled | undefined> {
  const read = await readSource(io.cwd, file);
  if ("invalid" in read) {
    io.stderr(formatReport([read.invalid], new Map(), "pretty", io.color) + "\n");
    return undefined;
  }
  const sources = new Map([[file, read.text]]);
  const report = (diagnostics: readonly Diagnostic[]): void => {
    if (diagnostics.length > 0) io.stderr(formatReport(diagnostics, sources, "pretty", io.color) + "\n");
  };
  const { diagnostics, loaded } = await loadFlow(read.text, file);
  report(diagnostics);
  if (loaded === undefined || hasErrors(diagnostics)) {
    io.stderr(`callflow bundle: ${file} has errors; nothing was bundled.\n`);
    return undefined;
  }
  const problems = connectOptionProblems(loaded.definition, options);
  if (problems.length > 0) {
    for (const problem of problems) io.stderr(`callflow bundle: ${file}: ${problem}\n`);
    return undefined;
  }
  // The function still answers function URLs and HTTP APIs; an Amazon Connect event fails with the same words.
  for (const clash of connectClashes(loaded.definition))
    io.stderr(`callflow bundle: warning: ${file} cannot answer Amazon Connect: ${clash}\n`);
  const id = loaded.definition.id;
  const generated = compile(read.text, { file, emit: "js", declarations: false, runtimeImport: RUNTIME_ENTRY });
  const flowModule = generated.files[0]?.text ?? "";
  const secrets =
    secretsManager === undefined ? "" : `, secrets: secretsManagerSecrets(${JSON.stringify(secretsManager)})`;
  const entry = [
    `import { flowHandler, secretsManagerSecrets } from ${JSON.stringify(LAMBDA_ENTRY)};`,
    `import { ${moduleNames(id).flow} as flow } from "callflow:flow";`,
    `export const handler = flowHandler(flow, { ...${JSON.stringify(options)}${secrets} });`,
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
