// Compile throughput: 1, 100 and 1,000 generated flows of 10 widgets each, through the
// whole `compile()` (parse, validate, emit), with the share of time spent in ts-morph
// (its structure printer and code-block-writer) measured by a CPU profile of the run.
// Also compares three ways to produce `--emit js` output (JavaScript plus .d.ts): printing
// it from the structures (what compile() does), TypeScript's per-file transpile functions,
// and one in-memory ts-morph Project emitting every module.
//
// Run: npm run build && node bench/compile.ts
// Node 24 strips the types of this file; it measures the compiled output in dist/.
import { Session } from "node:inspector/promises";
import { cpus } from "node:os";
import { Project, ts } from "ts-morph";
import { compile } from "callflow";

/** A realistic flow with 10 widgets: three http calls, a condition, a set, two sends, two routes, an end. */
export function benchFlow(i: number): string {
  return `# generated for bench/compile.ts
flow bench_flow_${i} "Benchmark flow ${i}" {
  config api_base: url
  global caller_id: string
  global account_id: string
  local status: string = "unknown"
  local balance: number = 0
  local vip: boolean = false
  local profile: json
  local card_last4: string masked
  local request_id: string = ""
  secret API_TOKEN
  secret HOOK_KEY

  start -> lookup

  http lookup "Look up the account" {
    method GET
    url "{{api_base}}/accounts/{{account_id}}"
    query {
      include = "profile"
      caller = caller_id
    }
    authorization "Bearer {{secret.API_TOKEN}}"
    headers { "X-Request-Source" = "ivr-${i}" }
    retry 2
    timeout 3s
    results {
      "$.status" -> status
      "$.balance" -> balance
      "$.profile" -> profile
      "$.profile.vip" -> vip
      "$.cards[0].last4" -> card_last4
      header "X-Request-Id" -> request_id
    }
    success -> triage
    fail -> agents
  }

  condition triage "Route by state" {
    when vip == true and balance > 100 -> vip_queue
    when status == "overdue" or (balance > 0 and not vip) -> remind
    else -> all_clear
  }

  send remind "Balance reminder" {
    message "Your balance is {{balance}} dollars; card ending {{card_last4}}."
    next -> notify
  }

  http notify "Notify billing" {
    method POST
    url "{{api_base}}/events"
    headers {
      "X-Hook-Key" = secret.HOOK_KEY
      "Idempotency-Key" = "remind-{{account_id}}-${i}"
    }
    body json {
      "account": account_id,
      "balance": balance,
      "vip": vip,
      "event": "reminded",
      "tags": ["ivr", "billing", "${i}"]
    }
    retry 1
    success -> survey
    fail -> survey
  }

  http survey "Log survey" {
    method PUT
    url "{{api_base}}/surveys/{{account_id}}"
    body form {
      caller = caller_id
      channel = "voice"
    }
    success -> goodbye
    fail -> goodbye
  }

  set all_clear "Nothing due" {
    balance = 0
    status = "clear"
    next -> thanks
  }

  send thanks { message "Thank you, you have nothing to pay." next -> goodbye }

  route vip_queue "VIP agents" { queue "vip-billing" }
  route agents "Billing agents" { queue "billing" }
  end goodbye
}
`;
}

const TS_MORPH = /node_modules\/(ts-morph|@ts-morph\/common\/dist\/ts-morph-common|code-block-writer)\//;
const TYPESCRIPT = /node_modules\/@ts-morph\/common\/dist\/typescript\.js/;

/** Shares of sampled CPU time in ts-morph's own code (structure printer, code-block-writer) and in the TypeScript it bundles. */
async function profiledShares(session: Session, work: () => void): Promise<{ tsMorph: number; typescript: number }> {
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  work();
  const { profile } = await session.post("Profiler.stop");
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame.url]));
  const samples = profile.samples ?? [];
  const share = (pattern: RegExp): number =>
    samples.filter((id) => pattern.test(byId.get(id) ?? "")).length / samples.length;
  return { tsMorph: share(TS_MORPH), typescript: share(TYPESCRIPT) };
}

function compileAll(sources: readonly string[], emit: "ts" | "js"): void {
  for (let i = 0; i < sources.length; i++) {
    const result = compile(sources[i] as string, `flows/bench-${i}.flow`, { emit });
    if (result.files.length === 0)
      throw new Error(`bench flow ${i} did not compile: ${JSON.stringify(result.diagnostics[0])}`);
  }
}

function time(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

/** Median time of `runs` runs (small batches repeated to total about 200 compiles per run). */
function measure(sources: readonly string[], emit: "ts" | "js", runs: number): number {
  const repeat = Math.max(1, Math.floor(200 / sources.length));
  const times = Array.from(
    { length: runs },
    () =>
      time(() => {
        for (let r = 0; r < repeat; r++) compileAll(sources, emit);
      }) / repeat,
  );
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const coldMs = time(() => compileAll([benchFlow(0)], "ts"));
  // Warm-up, so the figures below are steady-state.
  compileAll(
    Array.from({ length: 300 }, (_, i) => benchFlow(i)),
    "ts",
  );

  const lines = (benchFlow(0).match(/\n/g) ?? []).length;
  console.log(
    `Compile throughput, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores)`,
  );
  console.log(`flows of 10 widgets (${lines} lines of .flow each); parse + validate + emit, median of 5 runs`);
  console.log(`first compile in a fresh process (module load and JIT included): ${coldMs.toFixed(1)} ms\n`);
  console.log("| flows | emit | total | flows/s | ms/flow |");
  console.log("|---:|---|---:|---:|---:|");
  for (const emit of ["ts", "js"] as const) {
    for (const count of [1, 100, 1000]) {
      const ms = measure(
        Array.from({ length: count }, (_, i) => benchFlow(i)),
        emit,
        5,
      );
      console.log(
        `| ${count} | ${emit} | ${ms.toFixed(1)} ms | ${Math.round((count / ms) * 1000)} | ${(ms / count).toFixed(3)} |`,
      );
    }
  }

  const thousand = Array.from({ length: 1000 }, (_, i) => benchFlow(i));
  const session = new Session();
  session.connect();
  for (const emit of ["ts", "js"] as const) {
    const shares = await profiledShares(session, () => compileAll(thousand, emit));
    console.log(
      `\nshare of CPU time, 1000 flows, --emit ${emit}: ts-morph ${pct(shares.tsMorph)} (structure printer and code-block-writer), TypeScript ${pct(shares.typescript)}`,
    );
  }
  session.disconnect();

  const sources = thousand.slice(0, 100);
  const modules = sources.map((source, i) => compile(source, `flows/bench-${i}.flow`).files[0]!);
  const emitTs = time(() => compileAll(sources, "ts"));
  const emitJs = time(() => compileAll(sources, "js"));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.ESNext,
    declaration: true,
    isolatedDeclarations: true,
  };
  const transpileMs = time(() => {
    for (const module of modules) {
      ts.transpileModule(module.text, { compilerOptions: options, fileName: module.path });
      ts.transpileDeclaration(module.text, { compilerOptions: options, fileName: module.path });
    }
  });
  let emitted = 0;
  const projectMs = time(() => {
    const project = new Project({
      useInMemoryFileSystem: true,
      compilerOptions: { ...options, skipLibCheck: true, noLib: true, types: [] },
    });
    for (const module of modules) project.createSourceFile(module.path, module.text);
    emitted = project.emitToMemory().getFiles().length;
  });
  console.log("\n--emit js (JavaScript + .d.ts), 100 flows, cost on top of the TypeScript module:");
  console.log(
    `- printed from the same structures (what compile() does): ${Math.max(0, emitJs - emitTs).toFixed(0)} ms`,
  );
  console.log(`- ts.transpileModule + ts.transpileDeclaration, file by file: ${transpileMs.toFixed(0)} ms`);
  console.log(`- one in-memory ts-morph Project, emitToMemory(): ${projectMs.toFixed(0)} ms (${emitted} files)`);
}

// Importable for benchFlow without running the benchmark.
if (import.meta.main) await main();
