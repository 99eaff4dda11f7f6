// One secret's value from its source in callflow.json, as every host reads it (`callflow run`, `serve`, a
// bundled Lambda function): a file's value is its text without the final line break (as `echo token > file`
// writes it); an empty variable or file counts as unset. Only node:fs here, so a Lambda bundle inlines it alone.
import { readFile } from "node:fs/promises";

/** Where a secret's value comes from: an environment variable, or a file (as Docker and Kubernetes mount them). */
export type SecretSource = { readonly env: string } | { readonly file: string };

/** How a secret source is shown: never a value, only where it is read. */
export function describeSource(source: SecretSource): string {
  return "env" in source ? `env ${source.env}` : `file ${source.file}`;
}

/** The value, or why there is none (never naming a value). */
export type SourceRead = { readonly value: string } | { readonly why: string };

export async function readSecretSource(
  source: SecretSource,
  processEnv: Readonly<Record<string, string | undefined>>,
): Promise<SourceRead> {
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
  return value === undefined || value === "" ? { why } : { value };
}
