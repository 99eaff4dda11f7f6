// Packages the VS Code extension as a user would (`npm run package -w editors/vscode`, which type-checks and
// bundles the client, then runs `vsce package`), reads the .vsix with yauzl and checks what VS Code will load.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { text } from "node:stream/consumers";
import { compileFunction } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";

const root = path.resolve(import.meta.dirname, "..");
const extensionDir = path.join(root, "editors/vscode");

interface Manifest {
  name: string;
  publisher: string;
  version: string;
  main: string;
  capabilities: { untrustedWorkspaces: { supported: boolean | "limited"; restrictedConfigurations?: string[] } };
  contributes: {
    languages: { id: string; extensions?: string[]; filenamePatterns?: string[]; configuration?: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    configuration: { properties: Record<string, { default: unknown }> };
  };
}

/** Every file of a zip by name (directories left out). */
async function readZip(file: string): Promise<Map<string, string>> {
  const zip = await yauzl.openPromise(file);
  const files = new Map<string, string>();
  try {
    for await (const entry of zip.eachEntry()) {
      if (!entry.fileName.endsWith("/")) files.set(entry.fileName, await text(await zip.openReadStreamPromise(entry)));
    }
  } finally {
    zip.close();
  }
  return files;
}

/** A manifest path such as `./dist/extension.js` as the vsix names it. */
function inVsix(manifestPath: string): string {
  return path.posix.join("extension", manifestPath);
}

let outDir: string;
let files: Map<string, string>;
let manifest: Manifest;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), "callflow-vsix-"));
  const vsix = path.join(outDir, "callflow.vsix");
  // stdin is closed: were vsce to ask a question (a missing field, say), it fails instead of waiting.
  const run = spawnSync("npm", ["run", "package", "-w", "editors/vscode", "--", "--out", vsix], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (run.status !== 0) throw new Error(`vsce package failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  files = await readZip(vsix);
  manifest = JSON.parse(files.get("extension/package.json") ?? "null") as Manifest;
});

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe("the packaged extension", () => {
  it("holds the manifest, the bundle, the grammars and the language configuration, and no sources", () => {
    const names = [...files.keys()];
    expect(names).toEqual(
      expect.arrayContaining([
        "extension.vsixmanifest",
        "extension/package.json",
        "extension/dist/extension.js",
        "extension/syntaxes/flow.tmLanguage.json",
        "extension/syntaxes/flowtest.tmLanguage.json",
        "extension/language-configuration.json",
      ]),
    );
    expect(names.filter((n) => n.includes("/src/") || n.includes("node_modules") || n.endsWith(".ts"))).toEqual([]);
    expect(files.get("extension.vsixmanifest")).toContain(`Id="${manifest.name}"`);
  });

  it("contributes both languages, each with its grammar and the language configuration", () => {
    const ours = manifest.contributes.languages.filter((l) => l.configuration !== undefined);
    expect(ours.map((l) => [l.id, l.extensions])).toEqual([
      ["flow", [".flow"]],
      ["flowtest", [".flowtest"]],
    ]);
    for (const language of ours) {
      const configuration = JSON.parse(files.get(inVsix(language.configuration!)) ?? "null") as {
        comments: { lineComment: string };
        autoClosingPairs: { open: string }[];
      };
      expect(configuration.comments.lineComment).toBe("#");
      expect(configuration.autoClosingPairs.map((p) => p.open)).toEqual(["{", "[", "(", '"']);

      const grammar = manifest.contributes.grammars.find((g) => g.language === language.id);
      const packaged = files.get(inVsix(grammar?.path ?? "missing"));
      expect(packaged).toBe(readFileSync(path.join(extensionDir, grammar?.path ?? "missing"), "utf8"));
      expect((JSON.parse(packaged ?? "null") as { scopeName: string }).scopeName).toBe(grammar?.scopeName);
    }
    expect(manifest.contributes.configuration.properties["callflow.server.path"]?.default).toBe("");
    // A workspace's settings must not choose the program the extension runs until the workspace is trusted.
    expect(manifest.capabilities.untrustedWorkspaces).toMatchObject({
      supported: "limited",
      restrictedConfigurations: ["callflow.server.path"],
    });
  });

  it("does not claim Flow's *.js.flow declaration files", () => {
    // VS Code's rule (languagesAssociations.ts): a matching filename pattern beats an extension, and among
    // extensions the longest match wins. Built-in JavaScript does not list `.js.flow`, so the extension must.
    const languageOf = (file: string): string | undefined => {
      const name = file.toLowerCase();
      let best: { id: string; length: number; pattern: boolean } | undefined;
      for (const language of manifest.contributes.languages) {
        for (const pattern of language.filenamePatterns ?? [])
          if (path.matchesGlob(name, pattern.toLowerCase()) && (!best?.pattern || pattern.length > best.length))
            best = { id: language.id, length: pattern.length, pattern: true };
        for (const extension of language.extensions ?? [])
          if (name.endsWith(extension) && best?.pattern !== true && extension.length > (best?.length ?? 0))
            best = { id: language.id, length: extension.length, pattern: false };
      }
      return best?.id;
    };
    expect(languageOf("order-status.flow")).toBe("flow");
    expect(languageOf("order-status.flowtest")).toBe("flowtest");
    for (const file of ["types.js.flow", "index.mjs.flow", "index.cjs.flow", "Button.jsx.flow", "lib/API.JS.FLOW"])
      expect(languageOf(file), file).not.toBe("flow");
  });

  it("has a self-contained client entry: it needs only `vscode` and Node's own modules", () => {
    const bundle = files.get(inVsix(manifest.main));
    expect(bundle).toBeDefined();
    const required: string[] = [];
    const nodeRequire = createRequire(path.join(outDir, "extension.js"));
    // Loaded without VS Code: the client extends some vscode classes as it loads, so the stand-in has every
    // class, enum and namespace that @types/vscode declares, each an empty class. Enough to load, not to activate.
    const declarations = readFileSync(createRequire(import.meta.url).resolve("@types/vscode/index.d.ts"), "utf8");
    const apiNames = [...declarations.matchAll(/^\s*export (?:class|enum|namespace) (\w+)/gm)].map((m) => m[1]);
    const vscode = Object.fromEntries(apiNames.map((name) => [name, class {}]));
    const load = (id: string): unknown => {
      required.push(id);
      return id === "vscode" ? vscode : nodeRequire(id);
    };
    const module = { exports: {} as Record<string, unknown> };
    compileFunction(bundle ?? "", ["exports", "require", "module", "__filename", "__dirname"])(
      module.exports,
      load,
      module,
      path.join(outDir, "extension.js"),
      outDir,
    );
    expect(typeof module.exports.activate).toBe("function");
    expect(typeof module.exports.deactivate).toBe("function");
    const builtins = new Set(builtinModules);
    expect(required.filter((id) => id !== "vscode" && !builtins.has(id.replace(/^node:/, "")))).toEqual([]);
    expect(required).toContain("vscode");
    // The server is started as `<callflow> lsp --stdio`.
    expect(bundle).toMatch(/\["lsp","--stdio"\]/);
  });
});
