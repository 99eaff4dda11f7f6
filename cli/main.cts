#!/usr/bin/env node
// The `callflow` executable: CommonJS in syntax every Node parses (no import of either kind), so that an
// older Node reads it, says which version is needed and exits 2 before loading anything that would fail
// with a SyntaxError. package.json's `engines` says the same (22.12, commander's own minimum);
// test/engines.test.ts holds the two together.
const needed = [22, 12];
const running = process.versions.node.split(".").map(Number);
if (running[0]! < needed[0]! || (running[0] === needed[0] && running[1]! < needed[1]!)) {
  process.stderr.write(
    "callflow needs Node.js " + needed.join(".") + " or newer; this is Node.js " + process.versions.node + ".\n",
  );
  process.exit(2);
}
require("./start.cjs");
