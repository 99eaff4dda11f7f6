// Two environments of callflow.json side by side, for a promotion gate: keys one has and the other
// lacks, and values that differ. Secrets are compared by source only (their values are never read)
// and masked configs are shown as ••••.
import { describeSource, type Environment } from "./project-file.js";

export const MASK = "••••";

export interface EnvChange {
  readonly kind: "config" | "secret";
  readonly name: string;
  /** `missing-in-from` and `missing-in-to` fail the gate; `changed` is expected between environments. */
  readonly change: "changed" | "missing-in-from" | "missing-in-to";
  /** As shown: a config's JSON (or ••••), a secret's source. */
  readonly from?: string;
  readonly to?: string;
}

export interface EnvDiff {
  readonly from: string;
  readonly to: string;
  readonly changes: readonly EnvChange[];
  /** How many keys one side lacks. */
  readonly missing: number;
}

/** `masked`: config names some flow of the project declares masked. */
export function diffEnvironments(from: Environment, to: Environment, masked: ReadonlySet<string>): EnvDiff {
  const changes: EnvChange[] = [];
  const compare = (kind: EnvChange["kind"], a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): void => {
    const names = [...new Set([...a.keys(), ...b.keys()])].sort();
    for (const name of names) {
      const before = a.get(name);
      const after = b.get(name);
      if (before === undefined) changes.push({ kind, name, change: "missing-in-from", to: after! });
      else if (after === undefined) changes.push({ kind, name, change: "missing-in-to", from: before });
      else if (before !== after) changes.push({ kind, name, change: "changed", from: before, to: after });
    }
  };
  // Masked values are compared as they are but shown as ••••: a changed masked value still shows as changed.
  const shown = (env: Environment, name: string): string =>
    masked.has(name) ? MASK : JSON.stringify(env.config.get(name)?.value);
  for (const name of [...new Set([...from.config.keys(), ...to.config.keys()])].sort()) {
    const a = from.config.get(name);
    const b = to.config.get(name);
    if (a === undefined) changes.push({ kind: "config", name, change: "missing-in-from", to: shown(to, name) });
    else if (b === undefined) changes.push({ kind: "config", name, change: "missing-in-to", from: shown(from, name) });
    else if (JSON.stringify(a.value) !== JSON.stringify(b.value))
      changes.push({ kind: "config", name, change: "changed", from: shown(from, name), to: shown(to, name) });
  }
  const sources = (env: Environment): Map<string, string> =>
    new Map([...env.secrets].map(([name, v]) => [name, describeSource(v.value)]));
  compare("secret", sources(from), sources(to));
  return {
    from: from.name,
    to: to.name,
    changes,
    missing: changes.filter((c) => c.change !== "changed").length,
  };
}

/** One line per change, as `callflow diff` prints: `~` changed, `-` only in the first, `+` only in the second. */
export function diffText(diff: EnvDiff): string {
  const lines = [`env diff ${diff.from} → ${diff.to}`];
  for (const c of diff.changes) {
    if (c.change === "changed") lines.push(`~ ${c.kind} ${c.name}: ${c.from} → ${c.to}`);
    else if (c.change === "missing-in-to") lines.push(`- ${c.kind} ${c.name}: ${c.from} (missing in ${diff.to})`);
    else lines.push(`+ ${c.kind} ${c.name}: ${c.to} (missing in ${diff.from})`);
  }
  if (diff.changes.length === 0) lines.push("no differences");
  else if (diff.missing > 0) lines.push(`${diff.missing} key(s) missing on one side`);
  return lines.join("\n") + "\n";
}

const cell = (text: string | undefined): string => (text === undefined ? "—" : `\`${text.replaceAll("|", "\\|")}\``);

export function diffMarkdown(diff: EnvDiff): string {
  const lines = [`### Environments: ${diff.from} → ${diff.to}`, ""];
  if (diff.changes.length === 0) return lines.concat("No differences.", "").join("\n");
  lines.push(`| | key | ${diff.from} | ${diff.to} |`, "| --- | --- | --- | --- |");
  for (const c of diff.changes) {
    const mark = c.change === "changed" ? "changed" : "**missing**";
    lines.push(`| ${mark} | ${c.kind} \`${c.name}\` | ${cell(c.from)} | ${cell(c.to)} |`);
  }
  return lines.join("\n") + "\n";
}
