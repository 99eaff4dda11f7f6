// Secret providers: where the values of `secret NAME` declarations come from at run time.

/** Returns the value of a secret, or undefined when it is not set. May be async (a vault, a KMS). */
export type SecretProvider = (name: string) => string | undefined | Promise<string | undefined>;

export const SECRET_ENV_PREFIX = "CALLFLOW_SECRET_";

/**
 * The default provider: `secret CRM_TOKEN` reads the environment variable
 * `CALLFLOW_SECRET_CRM_TOKEN` (the name exactly as declared, case kept). The prefix keeps
 * a flow from reading arbitrary variables such as `PATH` or a cloud credential.
 */
export function envSecrets(
  env: Readonly<Record<string, string | undefined>> = process.env,
  prefix: string = SECRET_ENV_PREFIX,
): SecretProvider {
  return (name) => env[prefix + name];
}

/** A provider over a fixed map, for applications that load secrets themselves and for tests. */
export function staticSecrets(values: Readonly<Record<string, string>>): SecretProvider {
  return (name) => (Object.hasOwn(values, name) ? values[name] : undefined);
}
