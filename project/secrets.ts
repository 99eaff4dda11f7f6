// An environment's secrets, read from their sources before a run's first request: a missing one
// fails the command naming the secret and its source, never a value.
import { readFile } from "node:fs/promises";
import { describeSource, type Environment } from "./project-file.js";

export interface ResolvedSecrets {
  readonly values: ReadonlyMap<string, string>;
  /** One line per secret that could not be read. */
  readonly problems: readonly string[];
}

/**
 * The values of `names` from the environment's sources. A file's value is its text without the final
 * line break (as `echo token > file` writes it); an empty variable or file counts as unset.
 */
export async function resolveSecrets(
  env: Environment,
  names: readonly string[],
  processEnv: Readonly<Record<string, string | undefined>>,
): Promise<ResolvedSecrets> {
  const values = new Map<string, string>();
  const problems: string[] = [];
  for (const name of names) {
    const source = env.secrets.get(name)?.value;
    if (source === undefined) {
      problems.push(`secret ${name} has no source in environment ${env.name}`);
      continue;
    }
    let value: string | undefined;
    let why = "is not set";
    if ("env" in source) value = processEnv[source.env];
    else {
      try {
        value = (await readFile(source.file, "utf8")).replace(/\r?\n$/, "");
        why = "is empty";
      } catch (error) {
        why = `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`;
      }
    }
    if (value === undefined || value === "")
      problems.push(`secret ${name} (environment ${env.name}): ${describeSource(source)} ${why}`);
    else values.set(name, value);
  }
  return { values, problems };
}
