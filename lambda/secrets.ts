// Secrets in a Lambda container. Lambda sets environment variables, which `envSecrets()` reads
// (`CALLFLOW_SECRET_NAME`), the handlers' default. A vault is read once per container: `secretsOnce` takes
// any loader (the AWS SDK, or the Parameters and Secrets extension over local HTTP, docs/aws-lambda.md) and
// keeps what it returns, so no AWS SDK is a dependency of the runtime or of a bundle that does not use it.
import type { SecretProvider } from "../runtime/node.js";

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
