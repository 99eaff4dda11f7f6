// Shared by the compiler tests: the repository's paths, the example flows, and a strict
// type-check of generated modules with the real TypeScript compiler.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(fileURLToPath(import.meta.url), "../..");
export const EXAMPLES = path.join(ROOT, "examples");
export const GENERATED = path.join(EXAMPLES, "generated");

/** `examples/*.flow` as repository-relative POSIX paths, sorted. */
export function exampleFlows(): string[] {
  return readdirSync(EXAMPLES)
    .filter((name) => name.endsWith(".flow"))
    .sort()
    .map((name) => `examples/${name}`);
}

export function readRepoFile(file: string): string {
  return readFileSync(path.join(ROOT, file), "utf8");
}

/** A fresh folder under the repository's ignored `.tmp/`, so module resolution sees the package. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  mkdirSync(path.join(ROOT, ".tmp"), { recursive: true });
  const dir = mkdtempSync(path.join(ROOT, ".tmp", `${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TscError {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

/** Stricter than the repository's own settings: what generated code and examples must pass. */
export const STRICT_OPTIONS = {
  target: "ES2023",
  lib: ["ES2023"],
  module: "NodeNext",
  moduleResolution: "NodeNext",
  types: ["node"],
  strict: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  exactOptionalPropertyTypes: true,
  noImplicitReturns: true,
  noPropertyAccessFromIndexSignature: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noEmit: true,
  skipLibCheck: true,
} as const;

/** Runs the repository's `tsc` on a tsconfig written to `dir`. */
export function runTsc(dir: string, tsconfig: object): SpawnSyncReturns<string> {
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  const tsc = path.join(ROOT, "node_modules/.bin/tsc");
  return spawnSync(process.execPath, [tsc, "-p", "tsconfig.json", "--pretty", "false"], { cwd: dir, encoding: "utf8" });
}

/**
 * Type-checks `files` (name → text, written to `dir`) plus `extra` paths with the repo's
 * `tsc` in strict mode, stricter than the repo's own settings. `callflow/runtime` and
 * `callflow/runtime/internal` resolve to the runtime's sources, so no build is needed; errors
 * inside the runtime itself are left out (the repo's own type-check covers it, under its own
 * settings).
 */
export function typeCheck(
  dir: string,
  files: Readonly<Record<string, string>>,
  extra: readonly string[] = [],
): TscError[] {
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const tsconfig = {
    compilerOptions: {
      ...STRICT_OPTIONS,
      isolatedDeclarations: true,
      declaration: true,
      paths: {
        "callflow/runtime": [path.relative(dir, path.join(ROOT, "runtime/index.ts"))],
        "callflow/runtime/internal": [path.relative(dir, path.join(ROOT, "runtime/internal.ts"))],
      },
    },
    files: [
      ...Object.keys(files).filter((name) => name.endsWith(".ts")),
      ...extra.map((file) => path.relative(dir, file)),
    ],
  };
  const result = runTsc(dir, tsconfig);
  const errors: TscError[] = [];
  for (const line of `${result.stdout}${result.stderr}`.split("\n")) {
    // `file(line,col): error TSn: message`, or `error TSn: message` for a whole-program error.
    const match = /^(?:(.+?)\((\d+),\d+\): )?error (TS\d+): (.*)$/.exec(line);
    if (match === null) continue;
    const file = match[1] === undefined ? "" : path.resolve(dir, match[1]);
    if (file.startsWith(path.join(ROOT, "runtime") + path.sep)) continue;
    errors.push({ file, line: Number(match[2] ?? 0), code: match[3]!, message: match[4]! });
  }
  if (result.status !== 0 && !/error TS/.test(result.stdout))
    throw new Error(`tsc failed without diagnostics:\n${result.stdout}${result.stderr}`);
  return errors;
}
