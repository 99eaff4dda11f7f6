// Where the VS Code client looks for `callflow`: the setting, then the workspace's node_modules/.bin, then the PATH.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { serverCommand } from "../editors/vscode/src/server-command.mjs";
import type { ServerLookup } from "../editors/vscode/src/server-command.mjs";

const app = path.resolve("/work/app");
const lib = path.resolve("/work/lib");
const appBin = path.join(app, "node_modules/.bin/callflow");
const libBin = path.join(lib, "node_modules/.bin/callflow");

function lookup(overrides: Partial<ServerLookup> & { files?: string[] }): string {
  const files = new Set(overrides.files ?? []);
  return serverCommand({
    configured: "",
    folders: [app, lib],
    platform: "linux",
    exists: (file) => files.has(file),
    ...overrides,
  });
}

describe("serverCommand", () => {
  it("takes the setting first, whatever is installed", () => {
    expect(lookup({ configured: "/opt/callflow/bin/callflow", files: [appBin] })).toBe("/opt/callflow/bin/callflow");
  });

  it("resolves a relative setting from the first workspace folder and leaves a bare name to the PATH", () => {
    expect(lookup({ configured: " tools/callflow " })).toBe(path.join(app, "tools/callflow"));
    expect(lookup({ configured: "callflow-nightly" })).toBe("callflow-nightly");
    expect(lookup({ configured: "tools/callflow", folders: [] })).toBe("tools/callflow");
  });

  it("then takes the first workspace folder that has node_modules/.bin/callflow", () => {
    expect(lookup({ files: [appBin, libBin] })).toBe(appBin);
    expect(lookup({ files: [libBin] })).toBe(libBin);
  });

  it("looks for npm's .cmd wrapper on Windows", () => {
    expect(lookup({ platform: "win32", files: [appBin] })).toBe("callflow");
    expect(lookup({ platform: "win32", files: [`${appBin}.cmd`] })).toBe(`${appBin}.cmd`);
  });

  it("falls back to callflow on the PATH", () => {
    expect(lookup({})).toBe("callflow");
    expect(lookup({ folders: [] })).toBe("callflow");
  });
});
