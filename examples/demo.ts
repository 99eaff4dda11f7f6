// `npm run demo`: starts the embedded example API on 127.0.0.1 and runs every flow in examples/
// with sample globals through `callflow run --env local`, as a user would (the config and the
// secrets' sources come from examples/callflow.json): the package's own executable in a
// child process, so each timeline is exactly what the command prints; then `callflow test
// --coverage examples/` runs the flows' tests. No network beyond 127.0.0.1.
//
// Node 24 runs this file directly; `callflow` is the built package (npm install builds it).
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DEMO_SECRETS, startDemoApi } from "./demo-api.ts";

interface Sample {
  readonly title: string;
  /** The run's globals; `api_base` is a config, from the "local" environment of examples/callflow.json. */
  readonly globals: Readonly<Record<string, string>>;
}

const SAMPLES: Readonly<Record<string, readonly Sample[]>> = {
  "order-status.flow": [
    {
      title: "order 1001 is found: Success exit, the card number masked",
      globals: { caller_id: "+15550100", order_id: "1001" },
    },
    { title: "order 4040 does not exist: 404, Fail exit", globals: { caller_id: "+15550100", order_id: "4040" } },
  ],
  "appointment-reminder.flow": [
    {
      title: "the scheduler answers 503 with Retry-After, then a retry succeeds",
      globals: { appointment_id: "A-17", patient_phone: "+15550101" },
    },
  ],
  "order-routing.flow": [
    { title: "order 1001 is found: Success exit", globals: { caller_id: "+15550100", order_id: "1001" } },
    {
      title: "order 4040 is unknown: the 404 status exit, with the error code from the body",
      globals: { caller_id: "+15550100", order_id: "4040" },
    },
    {
      title: "the order service answers 503: retried, then the 5xx exit to the backup",
      globals: { caller_id: "+15550100", order_id: "5030" },
    },
    { title: "the token is refused: the 401 exit to an agent", globals: { caller_id: "+15550100", order_id: "4010" } },
  ],
  "payment-status.flow": [
    { title: "billing account 77 is overdue: routed to collections", globals: { account_id: "77" } },
  ],
};

const root = fileURLToPath(new URL("..", import.meta.url));
const color = process.env["NO_COLOR"]
  ? false
  : Boolean(process.env["FORCE_COLOR"]) || (process.stdout.isTTY === true && process.env["TERM"] !== "dumb");
const write = (text: string): void => void process.stdout.write(text);
const bold = (text: string): string => (color ? `\x1b[1m${text}\x1b[22m` : text);
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  bin: { callflow: string };
};
const cli = fileURLToPath(new URL(`../${pkg.bin.callflow}`, import.meta.url));

// Secrets reach flows the way they do in production: from the sources callflow.json names (here
// DEMO_* variables, set for the child runs only), never on a command line.
const env: NodeJS.ProcessEnv = { ...process.env };
for (const [name, value] of Object.entries(DEMO_SECRETS)) env[`DEMO_${name}`] = value;
if (color) env["FORCE_COLOR"] = "1";

/** Runs `callflow ARGS` with the demo's environment; its output goes straight to ours. */
function callflow(args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    // Our writes to stdout are synchronous on Linux (files, pipes, terminals), so lines stay in order.
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("close", (code) => resolve(code ?? 2));
    child.on("error", () => resolve(2));
  });
}

// A free port, so two demos (or a demo and a test run) never collide; `--config` gives its address as the
// "local" environment's api_base for these runs only, as a developer points a flow at a local server.
const api = await startDemoApi();
const project = ["--project", "examples/callflow.json", "--env", "local", "--config", `api_base=${api.url}`];
let failed = 0;
try {
  write(
    `callflow demo: example API on ${api.url}; secrets from ${Object.keys(DEMO_SECRETS)
      .map((name) => `DEMO_${name}`)
      .join(", ")}\n`,
  );
  // The flows with samples in the order above, then any others alphabetically.
  const rank = (name: string): number => (name in SAMPLES ? Object.keys(SAMPLES).indexOf(name) : Infinity);
  const flows = readdirSync(new URL(".", import.meta.url))
    .filter((name) => name.endsWith(".flow"))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const name of flows) {
    const file = `examples/${name}`;
    const samples = SAMPLES[name] ?? [];
    if (samples.length === 0) {
      // A flow added to examples/ without sample globals is still checked.
      write(`\n${bold(`━━ ${file}`)}: no sample globals in examples/demo.ts, checked but not run\n`);
      if ((await callflow(["check", file])) !== 0) failed++;
      continue;
    }
    for (const sample of samples) {
      const globals = Object.entries(sample.globals).map(([global, value]) => `${global}=${value}`);
      write(
        `\n${bold(`━━ ${file}: ${sample.title}`)}\n$ callflow run ${file} ${project.join(" ")} ${globals.map((g) => `--global ${g}`).join(" ")}\n\n`,
      );
      const code = await callflow(["run", file, ...project, ...globals.flatMap((g) => ["--global", g])]);
      if (code !== 0) {
        failed++;
        write(`(exit code ${code})\n`);
      }
    }
  }
  write(`\n${bold("━━ what the example API saw")}\n${api.log.map((line) => `  ${line}\n`).join("")}`);
  // The flows' own tests: offline, mocked HTTP, virtual time, and which exits no test takes.
  write(`\n${bold("━━ the flow tests")}\n$ callflow test --coverage examples/\n\n`);
  if ((await callflow(["test", "--coverage", "examples/"])) !== 0) failed++;
} finally {
  await api.close();
}
write(
  failed === 0
    ? "\nDone: every flow compiled, every run reached an end or a route, and every flow test passed.\n"
    : `\n${failed} flow run(s) failed.\n`,
);
process.exitCode = failed === 0 ? 0 : 1;
