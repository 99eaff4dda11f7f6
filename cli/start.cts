// Loads the command line (an ES module with top-level await) once main.cts has checked the Node version.

// Node's module compile cache (in the temporary folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off), as tsc
// does: V8's compiled code of every module loaded from here on (the whole bundle, ts-morph for the .d.ts of
// --emit js) is kept, and a later process loads them in about half the CPU. Here, not in cli.js: the chunks
// cli.js imports load before its first line runs.
(require("node:module") as typeof import("node:module")).enableCompileCache();
void import("./cli.js");
