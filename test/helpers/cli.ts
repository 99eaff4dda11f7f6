// The built CLI as users get it: the file package.json's `bin` names.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(fileURLToPath(import.meta.url), "../../..");

const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin: { callflow: string } };

/** Absolute path of the `callflow` executable script in dist/. */
export const CLI = path.join(ROOT, pkg.bin.callflow);
