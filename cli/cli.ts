#!/usr/bin/env node
// The `callflow` command line: parses arguments with commander and hands each command
// its own function, loaded only when that command runs (ts-morph alone takes a second to load).
// Exit codes: 0 ok, 1 errors in the input (diff: changes), 2 wrong usage or any other failure.
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { EXIT_USAGE, type CommandIO } from "./commands/io.js";
import { InputError } from "./files.js";
import { REPORT_FORMATS, type ReportFormat } from "./report.js";

const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
  homepage: string;
};

function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  if (env["FORCE_COLOR"] !== undefined && env["FORCE_COLOR"] !== "0") return true;
  return isTTY && env["TERM"] !== "dumb";
}

function processIO(): CommandIO {
  const isTTY = process.stdout.isTTY === true;
  // A closed pipe (`callflow run --json | head`) ends output quietly instead of crashing.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
  return {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: colorEnabled(process.env, isTTY),
    isTTY,
    env: process.env,
  };
}

function buildProgram(io: CommandIO, setExit: (code: number) => void): Command {
  const program = new Command("callflow")
    .description("Contact-center flows as code: check, compile, format, graph, diff and run .flow files.")
    .version(packageJson.version, "-v, --version")
    .showHelpAfterError("(run 'callflow --help' for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command("check")
    .description("Parse and validate flows, and test files against their flows; print diagnostics with code frames.")
    .argument(
      "[files...]",
      "files, directories or globs (default: every .flow and .flowtest file below the current folder)",
    )
    .addOption(new Option("--format <format>", "output format").choices(REPORT_FORMATS).default("pretty"))
    .option("--env <name>", "check only this environment of callflow.json (default: every one)")
    .option("--project <file>", "the callflow.json to read (default: the nearest at or above this folder)")
    .action(async (files: string[], options: { format: ReportFormat; env?: string; project?: string }) => {
      const { checkCommand } = await import("./commands/check.js");
      setExit(
        await checkCommand(
          {
            patterns: files,
            format: options.format,
            tool: { version: packageJson.version, homepage: packageJson.homepage },
            ...(options.env === undefined ? {} : { env: options.env }),
            ...(options.project === undefined ? {} : { project: options.project }),
          },
          io,
        ),
      );
    });

  program
    .command("compile")
    .description(
      "Write one typed TypeScript module per flow. Exit 1 on errors or, with --check, on missing or stale output.",
    )
    .argument("[files...]", "files, directories or globs (default: every .flow file below the current folder)")
    .option("-o, --out-dir <dir>", "where to write the generated modules (default: callflow.json's compile.outDir)")
    .option("--check", "write nothing; exit 1 and name each generated file that is missing or stale")
    .addOption(
      new Option("--emit <kind>", "ts: TypeScript modules; js: ES module JavaScript plus .d.ts")
        .choices(["ts", "js"])
        .default("ts"),
    )
    .option("--runtime-import <specifier>", "the module generated code imports the runtime from", "callflow/runtime")
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
    .option("--env <name>", "config values and secret sources from this environment of callflow.json")
    .option("--project <file>", "the callflow.json to read (default: the nearest at or above this folder)")
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
        const maxSteps = options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps };
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
                ...maxSteps,
                ...(options.record === undefined ? {} : { record: options.record }),
                ...(options.env === undefined ? {} : { env: options.env }),
                ...(options.project === undefined ? {} : { project: options.project }),
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

  program
    .command("test")
    .description(
      "Run .flowtest files against their flows with mocked HTTP and virtual time. Exit 0 all pass, 1 a test failed or coverage is below the minimum, 2 usage errors or a test file that does not check.",
    )
    .argument("[paths...]", "files, directories or globs (default: every .flowtest file below the current folder)")
    .option("--filter <text>", "run only the tests whose name contains TEXT")
    .addOption(new Option("--format <format>", "output format").choices(["pretty", "json"]).default("pretty"))
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
    .option("--env <name>", "config values (and secrets a test does not give) from this environment of callflow.json")
    .option("--project <file>", "the callflow.json to read (default: the nearest at or above this folder)")
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
              ...(options.filter === undefined ? {} : { filter: options.filter }),
              ...(options.output === undefined ? {} : { output: options.output }),
              ...(process.env["GITHUB_STEP_SUMMARY"] === undefined
                ? {}
                : { stepSummary: process.env["GITHUB_STEP_SUMMARY"] }),
              ...(options.minCoverage === undefined ? {} : { minCoverage: options.minCoverage }),
              ...(options.coverageOut === undefined ? {} : { coverageOut: options.coverageOut }),
              ...(options.env === undefined ? {} : { env: options.env }),
              ...(options.project === undefined ? {} : { project: options.project }),
            },
            io,
          ),
        );
      },
    );

  const env = program.command("env").description("Environments of callflow.json.");
  env
    .command("diff")
    .description(
      "Compare two environments: keys only one has, values that differ (secrets by source). Exit 0 same keys, 1 a key missing on either side, 2 errors.",
    )
    .argument("<from>", "the environment promoted from")
    .argument("<to>", "the environment promoted to")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "markdown"]).default("text"))
    .option("--project <file>", "the callflow.json to read (default: the nearest at or above this folder)")
    .action(async (from: string, to: string, options: { format: "text" | "json" | "markdown"; project?: string }) => {
      const { envDiffCommand } = await import("./commands/env.js");
      setExit(
        await envDiffCommand(
          {
            from,
            to,
            format: options.format,
            ...(options.project === undefined ? {} : { project: options.project }),
          },
          io,
        ),
      );
    });

  program
    .command("fmt")
    .description("Rewrite .flow and .flowtest files in the canonical layout, only when they change.")
    .argument(
      "[files...]",
      "files, directories or globs (default: every .flow and .flowtest file below the current folder)",
    )
    .option("--check", "write nothing; list the files that are not formatted and exit 1")
    .action(async (files: string[], options: { check?: true }) => {
      const { fmtCommand } = await import("./commands/fmt.js");
      setExit(await fmtCommand({ patterns: files, check: options.check === true }, io));
    });

  program
    .command("graph")
    .description("Draw a flow: Mermaid (default), Graphviz DOT, or an SVG or HTML picture.")
    .argument("<file>", "the .flow file")
    .addOption(
      new Option("--format <format>", "output format").choices(["mermaid", "dot", "svg", "html"]).default("mermaid"),
    )
    .action(async (file: string, options: { format: "mermaid" | "dot" | "svg" | "html" }) => {
      const { graphCommand } = await import("./commands/graph.js");
      setExit(await graphCommand({ file, format: options.format }, io));
    });

  program
    .command("diff")
    .description("Semantic diff of two versions of a flow. Exit 0 no change, 1 changes, 2 errors.")
    .argument("[files...]", "OLD NEW; with --git, paths; or the seven arguments git passes to a diff driver")
    .option("--git <rev>", "compare the working tree with a git revision")
    .addOption(
      new Option("--format <format>", "output format; markdown and html add a picture of the change")
        .choices(["text", "json", "markdown", "html"])
        .default("text"),
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
            {
              files,
              format: options.format,
              ...(options.git === undefined ? {} : { git: options.git }),
              ...(options.context === undefined ? {} : { context: options.context }),
            },
            io,
          ),
        );
      },
    );

  program
    .command("bundle")
    .description(
      "Bundle each flow into one ES module file and a zip for AWS Lambda (Amazon Connect, function URLs, HTTP APIs).",
    )
    .argument("<files...>", "the .flow files, directories or globs")
    .addOption(new Option("--target <target>", "where the bundle runs").choices(["aws-lambda"]).makeOptionMandatory())
    .requiredOption("-o, --out <dir>", "where DIR/<flow id>/index.mjs and DIR/<flow id>.zip are written")
    .option(
      "--env <name>",
      "the callflow.json environment whose configs are baked in and whose secret sources are read at cold start (default: its defaultEnvironment)",
    )
    .option("--project <file>", "the callflow.json to read (default: the nearest at or above this folder)")
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
              ...(options.env === undefined ? {} : { env: options.env }),
              ...(options.project === undefined ? {} : { project: options.project }),
              ...(options.authSecret === undefined ? {} : { authSecret: options.authSecret }),
              ...(options.customerNumber === undefined ? {} : { customerNumber: options.customerNumber }),
              ...(options.secretsManager === undefined ? {} : { secretsManager: options.secretsManager }),
            },
            io,
          ),
        );
      },
    );

  program
    .command("serve")
    .description(
      "Serve flows over HTTP for a contact-center platform: POST /flows/FLOW_ID/runs with the flow's inputs. Runs until SIGTERM or SIGINT, then drains and exits 0.",
    )
    .argument("[paths...]", "files, directories or globs (default: every .flow file below the current folder)")
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
    .option("--env <name>", "config values and secret sources from this environment of callflow.json")
    .option("--project <file>", "callflow.json to read instead of the nearest one above the working folder")
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
              ...(options.authSecret === undefined ? {} : { authSecret: options.authSecret }),
              ...(options.env === undefined ? {} : { env: options.env }),
              ...(options.project === undefined ? {} : { project: options.project }),
              ...(options.deadline === undefined ? {} : { deadlineMs: options.deadline }),
              ...(options.drainTimeout === undefined ? {} : { drainTimeoutMs: options.drainTimeout }),
              ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
              ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
            },
            io,
          ),
        );
      },
    );

  program
    .command("openapi")
    .description("Write the OpenAPI 3.1 document that `callflow serve` serves at /openapi.json for these flows.")
    .argument("[paths...]", "files, directories or globs (default: every .flow file below the current folder)")
    .option("-o, --output <file>", "write to FILE instead of stdout")
    .option("--no-auth", "describe a server without the bearer scheme (served with --no-auth or on loopback)")
    .action(async (paths: string[], options: { output?: string; auth: boolean }) => {
      const { openapiCommand } = await import("./commands/openapi.js");
      setExit(
        await openapiCommand(
          {
            patterns: paths,
            auth: options.auth,
            version: packageJson.version,
            ...(options.output === undefined ? {} : { output: options.output }),
          },
          io,
        ),
      );
    });

  program
    .command("lsp")
    .description("Start the language server for editors, speaking LSP over stdin and stdout.")
    .option("--stdio", "talk over stdin and stdout (the only transport; editors pass this flag)")
    .action(async () => {
      const { startServer } = await import("../lsp/server.js");
      // Runs until the client sends `exit` or closes stdin; stdout carries the protocol only.
      startServer(process.stdin, process.stdout);
    });

  return program;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function wholeNumber(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0)
    throw new InvalidArgumentError("expected a whole number of 0 or more");
  return number;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1)
    throw new InvalidArgumentError("expected a whole number of 1 or more");
  return number;
}

/** `500ms`, `10s`, `2m`: as durations are written in .flow files. */
function duration(value: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(value);
  if (match === null) throw new InvalidArgumentError("expected a duration such as 500ms, 10s or 2m");
  const ms = Number(match[1]) * (match[2] === "ms" ? 1 : match[2] === "s" ? 1000 : 60_000);
  if (ms < 1) throw new InvalidArgumentError("expected a duration of at least 1ms");
  return ms;
}

/** `--reporter` given once or more; `default` (the terminal's report, always printed) adds nothing. */
function reporters(
  value: string,
  previous: ("junit" | "github-summary")[] | undefined,
): ("junit" | "github-summary")[] {
  const chosen = previous ?? [];
  if (value === "default") return chosen;
  if (value !== "junit" && value !== "github-summary")
    throw new InvalidArgumentError("expected default, junit or github-summary");
  return chosen.includes(value) ? chosen : [...chosen, value];
}

function percentage(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0 || number > 100)
    throw new InvalidArgumentError("expected a percentage from 0 to 100");
  return number;
}

async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end through here with exit code 0.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof InputError) {
      io.stderr(`callflow: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (isFileSystemError(error)) {
      io.stderr(`callflow: ${error.syscall} ${error.path ?? ""} failed: ${error.code}\n`);
      return EXIT_USAGE;
    }
    // Exit 1 means "the input has errors" (or, for diff, "there are changes"): a failure is never that.
    io.stderr(`callflow: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    io.stderr("This is a bug in callflow; please report it with the input that caused it.\n");
    return EXIT_USAGE;
  }
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string" && "syscall" in error;
}

const exitCode = await main(process.argv.slice(2), processIO());
process.exitCode = exitCode;
