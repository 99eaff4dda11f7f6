// Compile throughput: 1, 100 and 1,000 generated flows of 10 widgets each, through the
// whole `compile()` (parse, validate, emit), with the share of time spent in ts-morph
// (its structure printer and code-block-writer) measured by a CPU profile of the run.
// Also compares the two ways to produce `--emit js` output for the same modules.
//
// Run: npm run build && node bench/compile.ts
// Node 24 strips the types of this file; it measures the compiled output in dist/.
import { Session } from "node:inspector/promises";
import { cpus } from "node:os";
import { Project, ts } from "ts-morph";
import { compile } from "../dist/compiler/index.js";
import { transpile } from "../dist/compiler/compile.js";

/** A realistic flow with 10 widgets: three http calls, a condition, a set, two sends, two routes, an end. */
export function benchFlow(i: number): string {
  return `# generated for bench/compile.ts
flow bench_flow_${i} "Benchmark flow ${i}" {
  global api_base: string
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

interface Profiled {
  readonly ms: number;
  /** Share of sampled CPU time in ts-morph's own code (printer, writer). */
  readonly tsMorph: number;
  /** Share in the TypeScript compiler ts-morph bundles (transpiling for --emit js). */
  readonly typescript: number;
}

async function profiled(session: Session, work: () => void): Promise<Profiled> {
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  const started = performance.now();
  work();
  const ms = performance.now() - started;
  const { profile } = await session.post("Profiler.stop");
  const total = profile.samples?.length ?? 0;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  let tsMorph = 0;
  let typescript = 0;
  for (const id of profile.samples ?? []) {
    const url = byId.get(id)?.callFrame.url ?? "";
    if (TS_MORPH.test(url)) tsMorph++;
    else if (TYPESCRIPT.test(url)) typescript++;
  }
  return { ms, tsMorph: tsMorph / total, typescript: typescript / total };
}

function compileAll(sources: readonly string[], emit: "ts" | "js"): void {
  for (let i = 0; i < sources.length; i++) {
    const result = compile(sources[i] as string, { file: `flows/bench-${i}.flow`, emit });
    if (result.files.length === 0) throw new Error(`bench flow ${i} did not compile: ${JSON.stringify(result.diagnostics[0])}`);
  }
}

const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");

  const first = performance.now();
  compileAll([benchFlow(0)], "ts");
  const coldMs = performance.now() - first;
  // Warm-up, so the figures below are steady-state.
  compileAll(Array.from({ length: 200 }, (_, i) => benchFlow(i)), "ts");

  console.log(`Compile throughput, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores)`);
  console.log(`first compile in the process (module load and JIT included): ${coldMs.toFixed(1)} ms\n`);
  console.log("| flows | emit | total | flows/s | ms/flow | ts-morph | TypeScript |");
  console.log("|---:|---|---:|---:|---:|---:|---:|");
  for (const emit of ["ts", "js"] as const) {
    for (const count of [1, 100, 1000]) {
      const sources = Array.from({ length: count }, (_, i) => benchFlow(i));
      // Small batches are repeated so the timer and the profiler have something to measure.
      const repeat = Math.max(1, Math.floor(200 / count));
      const run = await profiled(session, () => {
        for (let r = 0; r < repeat; r++) compileAll(sources, emit);
      });
      const ms = run.ms / repeat;
      console.log(
        `| ${count} | ${emit} | ${ms.toFixed(1)} ms | ${Math.round((count / ms) * 1000)} | ${(ms / count).toFixed(3)} | ${pct(run.tsMorph)} | ${pct(run.typescript)} |`,
      );
    }
  }

  // --emit js: per-file transpile (transpileModule + transpileDeclaration, what compile() uses)
  // against one in-memory ts-morph Project emitting all modules.
  const modules = Array.from({ length: 100 }, (_, i) => compile(benchFlow(i), { file: `flows/bench-${i}.flow` }).files[0]!);
  const transpileStarted = performance.now();
  for (const module of modules) transpile(module.text, module.path);
  const transpileMs = performance.now() - transpileStarted;
  const projectStarted = performance.now();
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.ESNext, declaration: true, isolatedDeclarations: true, skipLibCheck: true, noLib: true, types: [] },
  });
  for (const module of modules) project.createSourceFile(module.path, module.text);
  const emitted = project.emitToMemory().getFiles().length;
  const projectMs = performance.now() - projectStarted;
  console.log(`\n--emit js for 100 modules: transpileModule + transpileDeclaration ${transpileMs.toFixed(0)} ms; in-memory Project emit ${projectMs.toFixed(0)} ms (${emitted} files)`);
  session.disconnect();
}

await main();
