#!/usr/bin/env node
// The `callflow` command line: parses arguments with commander (the commands are registered in
// program.ts) and hands each command its own function, loaded only when that command runs
// (ts-morph alone takes a second to load).
// Exit codes: 0 ok, 1 errors in the input (diff: changes), 2 wrong usage or any other failure.
import { readFileSync } from "node:fs";
import { CommanderError } from "commander";
import { EXIT_USAGE, type CommandIO } from "./commands/io.js";
import { InputError } from "./files.js";
import { buildProgram } from "./program.js";

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

async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  let exitCode = 0;
  const program = buildProgram({
    io,
    setExit: (code) => {
      exitCode = code;
    },
    packageJson,
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
