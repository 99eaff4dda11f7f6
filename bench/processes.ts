// Timing whole processes in paired rounds, for bench/cold-start.ts and bench/compile-process.ts: every round
// runs each case once in a shuffled order, so all cases see the same load on a shared machine.
import { spawn } from "node:child_process";

type ProcessOptions = { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly ok?: readonly number[] };

/** Runs `command args`, resolving to its wall time and stderr once it closes with an accepted exit code. */
function timed(
  command: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<{ wall: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ["ignore", "ignore", "pipe"],
      env: options.env ?? process.env,
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const wall = performance.now() - started;
      if ((options.ok ?? [0]).includes(code ?? -1)) resolve({ wall, stderr });
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr}`));
    });
  });
}

/** Wall time of one `node` process (this one's executable), from spawn to `close`, in milliseconds. */
export async function wall(argv: readonly string[], options: ProcessOptions): Promise<number> {
  return (await timed(process.execPath, argv, options)).wall;
}

/**
 * Wall and CPU time (user plus system) of one `node` process, in milliseconds: run under GNU time
 * (/usr/bin/time), which reports the child's own CPU. On a machine loaded by others, CPU time is the steadier
 * figure: waiting for a core counts in wall time only.
 */
export async function wallAndCpu(
  argv: readonly string[],
  options: ProcessOptions,
): Promise<{ wall: number; cpu: number }> {
  const { wall, stderr } = await timed("/usr/bin/time", ["-f", "cpu %U %S", process.execPath, ...argv], options);
  const times = /cpu (\d+\.\d+) (\d+\.\d+)\s*$/.exec(stderr);
  if (times === null) throw new Error(`node ${argv.join(" ")}: no CPU time in ${stderr}`);
  return { wall, cpu: (Number(times[1]) + Number(times[2])) * 1000 };
}

/** `rounds` rounds of `time` for every case, each round in a new random order; the times per case, by round. */
export async function pairedRounds<T>(
  cases: readonly T[],
  rounds: number,
  time: (test: T) => Promise<number>,
): Promise<Map<T, number[]>> {
  const times = new Map<T, number[]>(cases.map((test) => [test, []]));
  for (let round = 0; round < rounds; round++) {
    const order = [...cases];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j] as T, order[i] as T];
    }
    for (const test of order) times.get(test)?.push(await time(test));
  }
  return times;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** A markdown row: median, fastest and slowest wall time, and the median of the per-round ratios to `base`. */
export function row(name: string, times: readonly number[], base: readonly number[] | undefined, digits = 1): string {
  const ratio =
    base === undefined ? "" : `${median(times.map((value, i) => value / (base[i] as number))).toFixed(digits)}x`;
  return `| ${name} | ${median(times).toFixed(0)} ms | ${Math.min(...times).toFixed(0)} ms | ${Math.max(...times).toFixed(0)} ms | ${ratio} |`;
}
