// An environment's secrets, read from their sources before a run's first request: a missing one
// fails the command naming the secret and its source, never a value.
import { describeSource, type Environment } from "./project-file.js";
import { readSecretSource } from "./secret-source.js";

export interface ResolvedSecrets {
  readonly values: ReadonlyMap<string, string>;
  /** One line per secret that could not be read. */
  readonly problems: readonly string[];
}

/** The values of `names` from the environment's sources (./secret-source.ts says how each is read). */
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
    const read = await readSecretSource(source, processEnv);
    if ("why" in read) problems.push(`secret ${name} (environment ${env.name}): ${describeSource(source)} ${read.why}`);
    else values.set(name, read.value);
  }
  return { values, problems };
}
