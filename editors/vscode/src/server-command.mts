// How the client finds the callflow executable. Free of the vscode API so that a plain test can run it.
import { isAbsolute, join, resolve } from "node:path";

export interface ServerLookup {
  /** The `callflow.server.path` setting, "" when unset. */
  readonly configured: string;
  /** The workspace folders' paths, in order. */
  readonly folders: readonly string[];
  readonly platform: NodeJS.Platform;
  readonly exists: (file: string) => boolean;
}

/**
 * The setting (a relative path is taken from the first workspace folder, a bare name is left to the PATH),
 * else the first workspace folder with `node_modules/.bin/callflow`, else `callflow` on the PATH.
 */
export function serverCommand({ configured, folders, platform, exists }: ServerLookup): string {
  const setting = configured.trim();
  if (setting !== "") {
    const isBareName = !setting.includes("/") && !setting.includes("\\");
    const base = folders[0];
    return isBareName || isAbsolute(setting) || base === undefined ? setting : resolve(base, setting);
  }
  // npm links a `.cmd` wrapper on Windows.
  const bin = platform === "win32" ? "callflow.cmd" : "callflow";
  for (const folder of folders) {
    const local = join(folder, "node_modules", ".bin", bin);
    if (exists(local)) return local;
  }
  return "callflow";
}
