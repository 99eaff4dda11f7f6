// Preloaded into a child process (`node --import ./test/helpers/load-log.ts`): appends one JSON line per module
// the process loads, by `import` or `require`, to the file named by CALLFLOW_LOAD_LOG; a `data:` module's line
// carries its source. Lets tests see what a command loads, whatever loads it.
import { appendFileSync } from "node:fs";
import { registerHooks } from "node:module";

const log = process.env["CALLFLOW_LOAD_LOG"];
if (log === undefined) throw new Error("set CALLFLOW_LOAD_LOG to the file to log loaded modules to");

// Node's own bundled dependencies load outside the hooks: their names, as node:internal/deps/..., at exit.
process.on("exit", () => {
  // An undocumented list (Node's own modules, by name), the only record of them.
  const loaded = (process as unknown as { moduleLoadList: readonly string[] }).moduleLoadList;
  for (const entry of loaded)
    if (entry.startsWith("NativeModule internal/deps/"))
      appendFileSync(log, JSON.stringify({ url: `node:${entry.slice("NativeModule ".length)}` }) + "\n");
});

registerHooks({
  load(url, context, nextLoad) {
    const result = nextLoad(url, context);
    const raw = url.startsWith("data:") ? result.source : undefined;
    const source = raw === undefined || typeof raw === "string" ? raw : new TextDecoder().decode(raw);
    appendFileSync(log, JSON.stringify({ url, ...(source === undefined ? {} : { source }) }) + "\n");
    return result;
  },
});
