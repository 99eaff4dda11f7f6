// Options and argument parsers that several commands share, defined once: the same flag reads and
// is checked the same way in every command that takes it.
import { InvalidArgumentError, Option } from "commander";

/** `--project FILE`, as check, run, test, env diff and bundle describe it. */
export function projectOption(
  description = "the callflow.json to read (default: the nearest at or above this folder)",
): Option {
  return new Option("--project <file>", description);
}

/** `--env NAME`: what the environment is for differs by command, so each says it. */
export function envOption(description: string): Option {
  return new Option("--env <name>", description);
}

/** `--format FORMAT`, one of `choices`, the first of them by default. */
export function formatOption(choices: readonly string[], description = "output format"): Option {
  return new Option("--format <format>", description).choices(choices).default(choices[0]);
}

/** The options given, without those left out: `{ env: undefined }` becomes `{}`. */
export function given<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** A repeatable option's values, in the order given. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function wholeNumber(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0)
    throw new InvalidArgumentError("expected a whole number of 0 or more");
  return number;
}

export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1)
    throw new InvalidArgumentError("expected a whole number of 1 or more");
  return number;
}

/** `500ms`, `10s`, `2m`: as durations are written in .flow files. */
export function duration(value: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(value);
  if (match === null) throw new InvalidArgumentError("expected a duration such as 500ms, 10s or 2m");
  const ms = Number(match[1]) * (match[2] === "ms" ? 1 : match[2] === "s" ? 1000 : 60_000);
  if (ms < 1) throw new InvalidArgumentError("expected a duration of at least 1ms");
  return ms;
}

/** `--reporter` given once or more; `default` (the terminal's report, always printed) adds nothing. */
export function reporters(
  value: string,
  previous: ("junit" | "github-summary")[] | undefined,
): ("junit" | "github-summary")[] {
  const chosen = previous ?? [];
  if (value === "default") return chosen;
  if (value !== "junit" && value !== "github-summary")
    throw new InvalidArgumentError("expected default, junit or github-summary");
  return chosen.includes(value) ? chosen : [...chosen, value];
}

export function percentage(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0 || number > 100)
    throw new InvalidArgumentError("expected a percentage from 0 to 100");
  return number;
}
