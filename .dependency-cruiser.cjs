// The layers, bottom up: grammar (the language) and runtime (what generated code imports) stand
// alone; compiler builds on grammar and the runtime's contract; review builds on grammar alone; testing
// (the flow test runner) runs compiled flows through the runtime; api and lsp (the language server)
// sit above them, cli on top. loader/ (a flow compiled into a runnable module) and project/ (callflow.json)
// serve every tool above the compiler; host/ is what the server (server/) and the Lambda handlers (lambda/)
// share. docs/architecture.md draws them. `npm test` runs this (test/layers.test.ts).
/** Every folder of ours, for "anything but" rules. */
const LAYERS = [
  "grammar",
  "compiler",
  "review",
  "api",
  "lsp",
  "cli",
  "runtime",
  "testing",
  "loader",
  "project",
  "host",
  "server",
  "lambda",
];
const other = (...allowed) => `^(${LAYERS.filter((l) => !allowed.includes(l)).join("|")})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "grammar-stands-alone",
      comment: "grammar/ is the language itself: it imports nothing else of ours.",
      severity: "error",
      from: { path: "^grammar/" },
      to: { path: other("grammar") },
    },
    {
      name: "runtime-stands-alone",
      comment: "runtime/ is what generated modules import: nothing else of ours, never the front end's packages.",
      severity: "error",
      from: { path: "^runtime/" },
      to: { path: [other("runtime"), "node_modules/(chevrotain|ts-morph|@ts-morph|typescript)/"] },
    },
    {
      name: "compiler-below-tools",
      comment: "compiler/ builds on grammar/ and the runtime's contract only.",
      severity: "error",
      from: { path: "^compiler/" },
      to: { path: [other("compiler", "grammar", "runtime"), "^runtime/(?!contract[.]ts$)"] },
    },
    {
      name: "review-below-cli",
      comment: "review/ (diff, graph, pictures) builds on grammar/ alone (and may read the runtime's contract).",
      severity: "error",
      from: { path: "^review/" },
      to: { path: [other("review", "grammar", "runtime"), "^runtime/(?!contract[.]ts$)"] },
    },
    {
      name: "loader-below-tools",
      comment: "loader/ compiles a flow into a runnable module: grammar/, compiler/ and runtime/ only.",
      severity: "error",
      from: { path: "^loader/" },
      to: { path: other("loader", "grammar", "compiler", "runtime") },
    },
    {
      name: "project-below-tools",
      comment: "project/ reads callflow.json: grammar/, compiler/ and the runtime's contract only.",
      severity: "error",
      from: { path: "^project/" },
      to: { path: [other("project", "grammar", "compiler", "runtime"), "^runtime/(?!contract[.]ts$)"] },
    },
    {
      name: "host-below-adapters",
      comment:
        "host/ (decode, validate, run with a deadline, shape the answer) is shared by server/ and lambda/: it never imports them, the CLI or the tools above it.",
      severity: "error",
      from: { path: "^host/" },
      to: { path: other("host", "grammar", "compiler", "runtime", "api", "loader", "project") },
    },
    {
      name: "server-below-cli",
      comment:
        "server/ (callflow serve) adapts HTTP to host/; never the CLI, the Lambda handlers, the LSP or the test runner.",
      severity: "error",
      from: { path: "^server/" },
      to: { path: other("server", "host", "grammar", "compiler", "review", "runtime", "api", "loader", "project") },
    },
    {
      name: "lambda-below-cli",
      comment: "lambda/ adapts AWS Lambda events to host/; never the CLI, the server, the LSP or the test runner.",
      severity: "error",
      from: { path: "^lambda/" },
      to: { path: other("lambda", "host", "grammar", "compiler", "runtime", "api", "loader", "project") },
    },
    {
      name: "api-below-cli",
      comment: "api/ is the package's entry: it never reaches into the CLI or the language server.",
      severity: "error",
      from: { path: "^api/" },
      to: { path: "^(cli|lsp|host|server|lambda)/" },
    },
    {
      name: "lsp-below-cli",
      comment:
        "lsp/ (the language server) builds on grammar/, compiler/, review/, api/, project/, the runtime's contract and the test files' checker (testing/check.ts, which imports grammar/ and the runtime's contract and value conversion) and how a test file's flow is found (testing/target.ts); never the CLI.",
      severity: "error",
      from: { path: "^lsp/" },
      to: {
        path: [
          other("lsp", "grammar", "compiler", "review", "api", "runtime", "testing", "project"),
          "^runtime/(?!contract[.]ts$)",
          "^testing/(?!(check|values|target)[.]ts$)",
        ],
      },
    },
    {
      name: "lsp-never-runs-flows",
      comment:
        "Through every import on the way, the language server reaches no part of the runtime but its contract and value conversion (and the flow types they name): it never compiles to run or runs a flow.",
      severity: "error",
      from: { path: "^lsp/" },
      to: { path: ["^runtime/(?!(contract|types|flow)[.]ts$)", "^(loader|host|server|lambda|cli)/"], reachable: true },
    },
    {
      name: "testing-below-cli",
      comment:
        "testing/ (the flow test runner) builds on grammar/, compiler/, runtime/, loader/ and project/; never review/, api/, the CLI or the hosts.",
      severity: "error",
      from: { path: "^testing/" },
      to: { path: other("testing", "grammar", "compiler", "runtime", "loader", "project") },
    },
    {
      name: "examples-use-the-package",
      comment: "examples/ import callflow and callflow/runtime by name, as users do.",
      severity: "error",
      from: { path: "^examples/" },
      to: { path: [`${other()}`, "^dist/"] },
    },
    {
      name: "no-cycles",
      comment: "Modules of ours never import each other in a circle.",
      severity: "error",
      from: { path: other() },
      to: { circular: true },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript API for dependency-cruiser to parse with; swc reads TypeScript.
    parser: "swc",
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules|test|bench)/" },
  },
};
