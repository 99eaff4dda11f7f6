// The `callflow` commands as commander sees them: one small registration per command, in the order
// `callflow --help` lists them. Each action imports its command (cli/commands/) only when it runs;
// the options several commands share come from options.ts.
import { Command, Option } from "commander";
import type { CommandIO } from "./commands/io.js";
import { EXIT_USAGE } from "./commands/io.js";
import {
  collect,
  duration,
  envOption,
  formatOption,
  given,
  percentage,
  positiveInteger,
  projectOption,
  reporters,
  wholeNumber,
} from "./options.js";
import { REPORT_FORMATS, type ReportFormat } from "./report.js";

/** What every registration needs: the process's I/O, where the exit code goes, the package's own facts. */
export interface Context {
  readonly io: CommandIO;
  readonly setExit: (code: number) => void;
  readonly packageJson: { readonly version: string; readonly homepage: string };
}

const ALL_FILES = "files, directories or globs (default: every .flow and .flowtest file below the current folder)";
const FLOW_FILES = "files, directories or globs (default: every .flow file below the current folder)";

export function buildProgram(context: Context): Command {
  const program = new Command("callflow")
    .description("Contact-center flows as code: check, compile, format, graph, diff and run .flow files.")
    .version(context.packageJson.version, "-v, --version")
    .showHelpAfterError("(run 'callflow --help' for usage)")
    .exitOverride()
    .configureOutput({ writeOut: context.io.stdout, writeErr: context.io.stderr });
  for (const register of [check, compile, run, test, env, fmt, graph, diff, bundle, serve, openapi, lsp])
    register(program, context);
  return program;
}

function check(program: Command, { io, setExit, packageJson }: Context): void {
  program
    .command("check")
    .description("Parse and validate flows, and test files against their flows; print diagnostics with code frames.")
    .argument("[files...]", ALL_FILES)
    .addOption(formatOption(REPORT_FORMATS))
    .addOption(envOption("check only this environment of callflow.json (default: every one)"))
    .addOption(projectOption())
    .option("--deadline <duration>", "warn of each path whose worst case is longer (docs/time-budgets.md)", duration)
    .addOption(
      new Option("--platform <platform>", "warn of paths over a platform's limit: twilio 10s, connect 8s")
        .choices(["twilio", "connect"])
        .conflicts("deadline"),
    )
    .action(async (files: string[], options: CheckOptions) => {
      const { checkCommand } = await import("./commands/check.js");
      const tool = { version: packageJson.version, homepage: packageJson.homepage };
      const chosen = given({
        env: options.env,
        project: options.project,
        deadlineMs: options.deadline,
        platform: options.platform,
      });
      setExit(await checkCommand({ patterns: files, format: options.format, tool, ...chosen }, io));
    });
}

function compile(program: Command, { io, setExit }: Context): void {
  program
    .command("compile")
    .description(
      "Write one typed TypeScript module per flow. Exit 1 on errors or, with --check, on missing or stale output.",
    )
    .argument("[files...]", FLOW_FILES)
    .option("-o, --out-dir <dir>", "where to write the generated modules (default: callflow.json's compile.outDir)")
    .option("--check", "write nothing; exit 1 and name each generated file that is missing or stale")
    .addOption(
      new Option("--emit <kind>", "ts: TypeScript modules; js: ES module JavaScript plus .d.ts")
        .choices(["ts", "js"])
        .default("ts"),
    )
    .option(
      "--runtime-import <specifier>",
      "the module generated code imports the runtime from",
      "callflow/runtime/internal",
    )
    .action(
      async (
        files: string[],
        options: { outDir?: string; check?: true; emit: "ts" | "js"; runtimeImport: string },
        command: Command,
      ) => {
        // With no files and no --out-dir, the project's flows go to its compile.outDir (callflow.json).
        const { projectCompile } = await import("./project.js");
        const project = files.length === 0 && options.outDir === undefined ? await projectCompile(io) : undefined;
        const outDir = options.outDir ?? project?.outDir;
        if (outDir === undefined) {
          io.stderr("callflow compile: name --out-dir DIR, or set compile.outDir in callflow.json\n");
          setExit(EXIT_USAGE);
          return;
        }
        const { compileCommand } = await import("./commands/compile.js");
        setExit(
          await compileCommand(
            {
              patterns: project?.files ?? files,
              outDir,
              check: options.check === true,
              emit: command.getOptionValueSource("emit") === "default" ? (project?.emit ?? options.emit) : options.emit,
              runtimeImport: options.runtimeImport,
              cwd: io.cwd,
            },
            io,
          ),
        );
      },
    );
}

function run(program: Command, { io, setExit }: Context): void {
  program
    .command("run")
    .description(
      "Compile a flow in memory and run it with live HTTP, printing a timeline. Exit 0 when it reaches an end or route, 1 when the run fails, 2 for usage or compile errors.",
    )
    .argument("<file>", "the .flow file")
    .option("-g, --global <name=value>", "a global's value, checked against its declared type (repeatable)", collect)
    .option(
      "--secret <name=envvar>",
      "read secret NAME from environment variable ENVVAR instead of CALLFLOW_SECRET_NAME (repeatable)",
      collect,
    )
    .addOption(envOption("config values and secret sources from this environment of callflow.json"))
    .addOption(projectOption())
    .option("--config <name=value>", "a config's value, for local experiments only (repeatable)", collect)
    .option("--json", "print the trace as JSON lines instead of the timeline")
    .option("--max-steps <n>", "stop with a failure after this many widgets", positiveInteger)
    .option(
      "--record <file>",
      "also write a .flowtest file that reproduces the run, secrets and masked values replaced",
    )
    .action(
      async (
        file: string,
        options: {
          global?: string[];
          secret?: string[];
          json?: true;
          maxSteps?: number;
          record?: string;
          env?: string;
          project?: string;
          config?: string[];
        },
      ) => {
        const { runCommand } = await import("./commands/run.js");
        // The first Ctrl-C cancels the run, which then ends and prints its outcome; a second one quits at once.
        const controller = new AbortController();
        const onInterrupt = (): void => {
          if (controller.signal.aborted) process.exit(130);
          controller.abort();
        };
        process.on("SIGINT", onInterrupt);
        try {
          setExit(
            await runCommand(
              {
                file,
                globals: options.global ?? [],
                secrets: options.secret ?? [],
                json: options.json === true,
                ...given({
                  maxSteps: options.maxSteps,
                  record: options.record,
                  env: options.env,
                  project: options.project,
                }),
                configs: options.config ?? [],
                signal: controller.signal,
              },
              io,
            ),
          );
        } finally {
          process.off("SIGINT", onInterrupt);
        }
      },
    );
}

function test(program: Command, { io, setExit }: Context): void {
  program
    .command("test")
    .description(
      "Run .flowtest files against their flows with mocked HTTP and virtual time. Exit 0 all pass, 1 a test failed or coverage is below the minimum, 2 usage errors or a test file that does not check.",
    )
    .argument("[paths...]", "files, directories or globs (default: every .flowtest file below the current folder)")
    .option("--filter <text>", "run only the tests whose name contains TEXT")
    .addOption(formatOption(["pretty", "json"]))
    .option(
      "--reporter <name>",
      "also write a report: junit (XML to --output), github-summary (Markdown appended to $GITHUB_STEP_SUMMARY); repeatable",
      reporters,
    )
    .option("--output <file>", "where --reporter junit writes its XML")
    .option("--coverage", "print each flow's exit coverage and the exits no test took")
    .option("--min-coverage <percent>", "exit 1 when a flow's exit coverage is below this percentage", percentage)
    .addOption(
      new Option("--coverage-format <format>", "coverage output: text, or lcov (with --coverage-out)")
        .choices(["text", "lcov"])
        .default("text"),
    )
    .option("--coverage-out <file>", "where --coverage-format lcov writes")
    .addOption(envOption("config values (and secrets a test does not give) from this environment of callflow.json"))
    .addOption(projectOption())
    .action(
      async (
        paths: string[],
        options: {
          filter?: string;
          format: "pretty" | "json";
          reporter?: ("junit" | "github-summary")[];
          output?: string;
          coverage?: true;
          minCoverage?: number;
          coverageFormat: "text" | "lcov";
          coverageOut?: string;
          env?: string;
          project?: string;
        },
      ) => {
        const { testCommand } = await import("./commands/test.js");
        setExit(
          await testCommand(
            {
              patterns: paths,
              format: options.format,
              reporters: options.reporter ?? [],
              coverage: options.coverage === true,
              coverageFormat: options.coverageFormat,
              ...given({
                filter: options.filter,
                output: options.output,
                stepSummary: process.env["GITHUB_STEP_SUMMARY"],
                minCoverage: options.minCoverage,
                coverageOut: options.coverageOut,
                env: options.env,
                project: options.project,
              }),
            },
            io,
          ),
        );
      },
    );
}

function env(program: Command, { io, setExit }: Context): void {
  program
    .command("env")
    .description("Environments of callflow.json.")
    .command("diff")
    .description(
      "Compare two environments: keys only one has, values that differ (secrets by source). Exit 0 same keys, 1 a key missing on either side, 2 errors.",
    )
    .argument("<from>", "the environment promoted from")
    .argument("<to>", "the environment promoted to")
    .addOption(formatOption(["text", "json", "markdown"]))
    .addOption(projectOption())
    .action(async (from: string, to: string, options: { format: "text" | "json" | "markdown"; project?: string }) => {
      const { envDiffCommand } = await import("./commands/env.js");
      setExit(await envDiffCommand({ from, to, format: options.format, ...given({ project: options.project }) }, io));
    });
}

function fmt(program: Command, { io, setExit }: Context): void {
  program
    .command("fmt")
    .description("Rewrite .flow and .flowtest files in the canonical layout, only when they change.")
    .argument("[files...]", ALL_FILES)
    .option("--check", "write nothing; list the files that are not formatted and exit 1")
    .action(async (files: string[], options: { check?: true }) => {
      const { fmtCommand } = await import("./commands/fmt.js");
      setExit(await fmtCommand({ patterns: files, check: options.check === true }, io));
    });
}

function graph(program: Command, { io, setExit }: Context): void {
  program
    .command("graph")
    .description("Draw a flow: Mermaid (default), Graphviz DOT, or an SVG or HTML picture.")
    .argument("<file>", "the .flow file")
    .addOption(formatOption(["mermaid", "dot", "svg", "html"]))
    .addOption(new Option("--annotate <what>", "add each widget's worst case (docs/time-budgets.md)").choices(["time"]))
    .action(async (file: string, options: { format: "mermaid" | "dot" | "svg" | "html"; annotate?: "time" }) => {
      const { graphCommand } = await import("./commands/graph.js");
      setExit(await graphCommand({ file, format: options.format, ...given({ annotate: options.annotate }) }, io));
    });
}

function diff(program: Command, { io, setExit }: Context): void {
  program
    .command("diff")
    .description("Semantic diff of two versions of a flow. Exit 0 no change, 1 changes, 2 errors.")
    .argument("[files...]", "OLD NEW; with --git, paths; or the seven arguments git passes to a diff driver")
    .option("--git <rev>", "compare the working tree with a git revision")
    .addOption(
      formatOption(
        ["text", "json", "markdown", "html"],
        "output format; markdown and html add a picture of the change",
      ),
    )
    .option(
      "--context <n>",
      "pictures show the changed widgets and those within n exits of them (default: whole flows of up to 20 widgets, else 1)",
      wholeNumber,
    )
    .action(
      async (
        files: string[],
        options: { git?: string; format: "text" | "json" | "markdown" | "html"; context?: number },
      ) => {
        const { diffCommand } = await import("./commands/diff.js");
        setExit(
          await diffCommand(
            { files, format: options.format, ...given({ git: options.git, context: options.context }) },
            io,
          ),
        );
      },
    );
}

function bundle(program: Command, { io, setExit }: Context): void {
  program
    .command("bundle")
    .description(
      "Bundle each flow into one ES module file and a zip for AWS Lambda (Amazon Connect, function URLs, HTTP APIs).",
    )
    .argument("<files...>", "the .flow files, directories or globs")
    .addOption(new Option("--target <target>", "where the bundle runs").choices(["aws-lambda"]).makeOptionMandatory())
    .requiredOption("-o, --out <dir>", "where DIR/<flow id>/index.mjs and DIR/<flow id>.zip are written")
    .addOption(
      envOption(
        "the callflow.json environment whose configs are baked in and whose secret sources are read at cold start (default: its defaultEnvironment)",
      ),
    )
    .addOption(projectOption())
    .option("--auth-secret <name>", "HTTP callers must send Authorization: Bearer with this secret's value")
    .option("--unmask <variable>", "return this masked variable's value to Amazon Connect (repeatable)", collect)
    .option(
      "--attribute <input=attribute>",
      "fill an input from an Amazon Connect contact attribute (repeatable)",
      collect,
    )
    .option("--customer-number <input>", "fill this input with the Amazon Connect customer's number")
    .option(
      "--secrets-manager <secret-id>",
      "read secret values from this AWS Secrets Manager secret (a JSON object) through the Parameters and Secrets extension",
    )
    .addOption(
      new Option("--connect-response <type>", "the Invoke AWS Lambda function block's response validation")
        .choices(["string-map", "json"])
        .default("string-map"),
    )
    .action(
      async (
        files: string[],
        options: {
          target: "aws-lambda";
          out: string;
          env?: string;
          project?: string;
          authSecret?: string;
          unmask?: string[];
          attribute?: string[];
          customerNumber?: string;
          connectResponse: "string-map" | "json";
          secretsManager?: string;
        },
      ) => {
        const { bundleCommand } = await import("./commands/bundle.js");
        setExit(
          await bundleCommand(
            {
              patterns: files,
              target: options.target,
              outDir: options.out,
              unmasked: options.unmask ?? [],
              attributes: options.attribute ?? [],
              connectResponse: options.connectResponse,
              ...given({
                env: options.env,
                project: options.project,
                authSecret: options.authSecret,
                customerNumber: options.customerNumber,
                secretsManager: options.secretsManager,
              }),
            },
            io,
          ),
        );
      },
    );
}

function serve(program: Command, { io, setExit, packageJson }: Context): void {
  program
    .command("serve")
    .description(
      "Serve flows over HTTP for a contact-center platform: POST /flows/FLOW_ID/runs with the flow's inputs. Runs until SIGTERM or SIGINT, then drains and exits 0.",
    )
    .argument("[paths...]", FLOW_FILES)
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .option("--port <n>", "the port; 0 takes a free one", wholeNumber, 8080)
    .option("--auth-secret <name>", "callers must send Authorization: Bearer <the value of secret NAME>")
    .option("--no-auth", "serve a non-loopback host without authentication (something in front authenticates)")
    .option("--deadline <duration>", "cancel a run after this long and answer 504 (default 10s)", duration)
    .option("--drain-timeout <duration>", "on SIGTERM, how long runs in flight may finish (default 10s)", duration)
    .option(
      "--max-concurrency <n>",
      "runs in flight at most; more are answered 503 at once (default 256)",
      positiveInteger,
    )
    .option("--body-limit <bytes>", "largest request body; larger is 413 (default 65536)", positiveInteger)
    .option("--watch", "reload a flow when its file changes; a version with errors keeps the previous one serving")
    .addOption(envOption("config values and secret sources from this environment of callflow.json"))
    .addOption(projectOption("callflow.json to read instead of the nearest one above the working folder"))
    .action(
      async (
        paths: string[],
        options: {
          env?: string;
          project?: string;
          host: string;
          port: number;
          authSecret?: string;
          auth: boolean;
          deadline?: number;
          drainTimeout?: number;
          maxConcurrency?: number;
          bodyLimit?: number;
          watch?: true;
        },
      ) => {
        const { serveCommand } = await import("./commands/serve.js");
        const stop = new Promise<void>((resolve) => {
          process.once("SIGTERM", resolve);
          process.once("SIGINT", resolve);
        });
        setExit(
          await serveCommand(
            {
              patterns: paths,
              host: options.host,
              port: options.port,
              auth: options.auth,
              watch: options.watch === true,
              version: packageJson.version,
              stop,
              ...given({
                authSecret: options.authSecret,
                env: options.env,
                project: options.project,
                deadlineMs: options.deadline,
                drainTimeoutMs: options.drainTimeout,
                maxConcurrency: options.maxConcurrency,
                bodyLimit: options.bodyLimit,
              }),
            },
            io,
          ),
        );
      },
    );
}

function openapi(program: Command, { io, setExit, packageJson }: Context): void {
  program
    .command("openapi")
    .description("Write the OpenAPI 3.1 document that `callflow serve` serves at /openapi.json for these flows.")
    .argument("[paths...]", FLOW_FILES)
    .option("-o, --output <file>", "write to FILE instead of stdout")
    .option("--no-auth", "describe a server without the bearer scheme (served with --no-auth or on loopback)")
    .action(async (paths: string[], options: { output?: string; auth: boolean }) => {
      const { openapiCommand } = await import("./commands/openapi.js");
      setExit(
        await openapiCommand(
          { patterns: paths, auth: options.auth, version: packageJson.version, ...given({ output: options.output }) },
          io,
        ),
      );
    });
}

function lsp(program: Command): void {
  program
    .command("lsp")
    .description("Start the language server for editors, speaking LSP over stdin and stdout.")
    .option("--stdio", "talk over stdin and stdout (the only transport; editors pass this flag)")
    .action(async () => {
      const { startServer } = await import("../lsp/server.js");
      // Runs until the client sends `exit` or closes stdin; stdout carries the protocol only.
      startServer(process.stdin, process.stdout);
    });
}

interface CheckOptions {
  format: ReportFormat;
  env?: string;
  project?: string;
  deadline?: number;
  platform?: "twilio" | "connect";
}
