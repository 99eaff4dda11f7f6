// Bundles the command line into few files (issue 27): esbuild, run by `npm run build` after tsc, writes
// dist/cli/cli.js (the module dist/cli/start.cjs imports) and the chunks it loads, all in dist/cli/, over
// tsc's cli.js. Each command stays a chunk of its own, imported when it runs (code splitting), so `check`
// still loads no runtime and no test runner. Loading one file instead of a hundred saves Node resolving,
// reading and linking each module.
//
// - The runtime is bundled too, with an entry of its own, dist/cli/runtime/internal-node.js: the module the flows that
//   `run`, `test` and `serve` compile import (loader/load-flow.ts names it relative to itself, so the loader's
//   `import.meta.url` is taken as dist/cli/loader/load-flow.js). The commands' own imports of the runtime
//   (the test runner's fetch mocks, the redactor) share its chunks: one copy of the runtime and its state.
// - `import.meta.url` in our other sources becomes the URL of the file tsc emits for that source, so that paths
//   relative to it (package.json, dist/lambda/index.js, the docs) resolve as before.
// - Packages too large to pay off or that must stay files are not bundled (EXTERNAL).
// - Source maps (`--enable-source-maps`) point into the TypeScript sources; nothing is minified, names kept.
// - dist/cli/bundle-meta.json is esbuild's metafile: which sources each chunk holds (test/cold-start.test.ts).
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "dist/cli");
const require = createRequire(import.meta.url);

/** Loaded from node_modules at run time: native code, files read by path, or loaded by a rare command only. */
const EXTERNAL = [
  "esbuild", // a native binary per platform (`callflow bundle`)
  "ts-morph", // required lazily by compiler/emit-ts.ts, for a .d.ts only
  "typescript",
  "fastify", // `callflow serve` only, and it loads its plugins by name
  "@fastify/formbody",
  "prom-client",
  "pino", // `callflow serve` only: the same copy Fastify loads, and it finds its worker files by path
  "@hpcc-js/wasm-graphviz", // pictures only; carries WebAssembly
];

/** Where a bundled source's `import.meta.url` points: where tsc emits it, but for the loader (see above). */
function emittedUrl(source: string): string {
  const emitted =
    source === path.join("loader", "load-flow.ts") ? path.join("dist/cli", source) : path.join("dist", source);
  const relative = path.relative(outdir, path.join(root, emitted.replace(/\.ts$/, ".js")));
  return `new URL(${JSON.stringify(relative.split(path.sep).join("/"))}, import.meta.url).href`;
}

const ourSources: Plugin = {
  name: "callflow-sources",
  setup(context) {
    context.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = path.relative(root, args.path);
      const text = readFileSync(args.path, "utf8");
      if (source.startsWith("node_modules") || !text.includes("import.meta.url")) return undefined;
      return { contents: text.replaceAll("import.meta.url", emittedUrl(source)), loader: "ts" };
    });
    // A CommonJS package imported with `import()` becomes a chunk whose only export is `default`, where Node
    // gives named exports too (runtime/undici.ts reads `Agent`): an ES module facade names them.
    context.onResolve({ filter: /^undici$/ }, (args) => ({ path: args.path, namespace: "esm-facade" }));
    context.onLoad({ filter: /.*/, namespace: "esm-facade" }, (args) => {
      const file = require.resolve(args.path);
      const names = Object.keys(require(file) as object).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
      const contents = `import m from ${JSON.stringify(file)};\nexport default m;\nexport const { ${names.join(", ")} } = m;\n`;
      return { contents, loader: "js", resolveDir: root };
    });
    // undici's cookie helpers read globalThis.Headers when undici loads, and that getter loads Node's own
    // copy of undici (as long as starting `node` again). The CLI never uses those helpers; without the
    // global they brand-check undici's own Headers only.
    context.onLoad({ filter: /[\\/]node_modules[\\/]undici[\\/]lib[\\/]web[\\/]cookies[\\/]index\.js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (!text.includes("[Headers, globalThis.Headers]"))
        throw new Error(`${args.path} changed: review the line below`);
      return { contents: text.replace("[Headers, globalThis.Headers]", "[Headers]"), loader: "js" };
    });
  },
};

// Chunk names change with their contents: remove the last build's.
for (const file of readdirSync(outdir)) if (file.startsWith("cf-")) rmSync(path.join(outdir, file));

const result = await build({
  entryPoints: {
    cli: path.join(root, "cli/cli.ts"),
    "runtime/internal-node": path.join(root, "runtime/internal-node.ts"),
  },
  outdir,
  absWorkingDir: root, // the metafile names files relative to the repository
  bundle: true,
  splitting: true,
  chunkNames: "cf-[name]-[hash]",
  format: "esm",
  platform: "node",
  target: "node22.12",
  external: EXTERNAL,
  // ES module builds where a package has one (jsonc-parser's CommonJS one requires files by computed paths).
  mainFields: ["module", "main"],
  plugins: [ourSources],
  sourcemap: "linked",
  keepNames: true,
  metafile: true,
  logLevel: "warning",
  // Bundled CommonJS packages call require() for Node's own modules, which an ES module lacks.
  banner: { js: 'import{createRequire as __cfRequire}from"node:module";const require=__cfRequire(import.meta.url);' },
});
writeFileSync(path.join(outdir, "bundle-meta.json"), JSON.stringify(result.metafile));
