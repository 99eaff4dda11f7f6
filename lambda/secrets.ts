// Secrets in a Lambda container. Lambda sets environment variables, which `envSecrets()` reads
// (`CALLFLOW_SECRET_NAME`), the handlers' default. A vault is read once per container: `secretsOnce` takes
// any loader (the AWS SDK, or the Parameters and Secrets extension over local HTTP, docs/aws-lambda.md) and
// keeps what it returns, so no AWS SDK is a dependency of the runtime or of a bundle that does not use it.
import type { SecretSource } from "../project/project-file.js";
import { describeSource, readSecretSource } from "../project/secret-source.js";
import type { SecretProvider } from "../runtime/node.js";

/**
 * The secrets of an environment of callflow.json, each from its source (`{ env }` a variable of the function,
 * `{ file }` a file in the container), read once when awaited: a bundle awaits it as the module loads, in
 * Lambda's init phase, so no invocation waits on it. A secret that cannot be read is logged (its source, never a
 * value) and has no value, so a run that needs it fails as for any missing secret.
 */
export async function sourcedSecrets(
  sources: Readonly<Record<string, SecretSource>>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<SecretProvider> {
  const values = new Map<string, string>();
  for (const [name, source] of Object.entries(sources)) {
    const read = await readSecretSource(source, env);
    if ("value" in read) values.set(name, read.value);
    else console.warn(`callflow: secret ${name}: ${describeSource(source)} ${read.why}`);
  }
  return (name) => values.get(name);
}

/**
 * A provider over what `load` returns, loaded on the first secret a run reads and kept for the container's life.
 * A load that fails is tried again by the next run, which fails meanwhile as for a missing secret's value.
 */
export function secretsOnce(load: () => Promise<Readonly<Record<string, string>>>): SecretProvider {
  let loading: Promise<Readonly<Record<string, string>>> | undefined;
  return async (name) => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    const values = await loading;
    return Object.hasOwn(values, name) ? values[name] : undefined;
  };
}

/** Where the AWS Parameters and Secrets Lambda Extension listens, as its own variables set it. */
const EXTENSION_PORT_VARIABLE = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT";
const EXTENSION_DEFAULT_PORT = "2773";

/**
 * One AWS Secrets Manager secret whose text is a JSON object of the flows' secret values (`{"BANK_TOKEN": "…"}`),
 * read once per container through the AWS Parameters and Secrets Lambda Extension (a layer that serves secrets
 * on localhost, authenticated by the function's session token): no AWS SDK. Errors name the secret's id, never
 * its content.
 */
export function secretsManagerSecrets(
  secretId: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): SecretProvider {
  return secretsOnce(async () => {
    const port = env[EXTENSION_PORT_VARIABLE] ?? EXTENSION_DEFAULT_PORT;
    const response = await fetch(
      `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`,
      { headers: { "X-Aws-Parameters-Secrets-Token": env["AWS_SESSION_TOKEN"] ?? "" } },
    );
    if (!response.ok) throw new Error(`the secrets extension answered ${response.status} for ${secretId}`);
    const answer = (await response.json()) as { SecretString?: unknown };
    let values: unknown;
    try {
      values = typeof answer.SecretString === "string" ? JSON.parse(answer.SecretString) : undefined;
    } catch {
      values = undefined;
    }
    if (typeof values !== "object" || values === null || Array.isArray(values))
      throw new Error(`secret ${secretId} is not a JSON object of names and values`);
    return Object.fromEntries(
      Object.entries(values).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
  });
}
