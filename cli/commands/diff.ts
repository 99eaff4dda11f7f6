// `callflow diff`: semantic diff of two flow files, of the working tree against a git
// revision (--git REV), or as git's external diff driver (seven arguments from git).
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { createTwoFilesPatch } from "diff";
import { describeChange, flowBudget, raisedBudgets, type BudgetChange } from "../../compiler/time-budget.js";
import type { Flow } from "../../grammar/ast.js";
import { parse } from "../../grammar/parse.js";
import { hasErrors, type Diagnostic } from "../../grammar/diagnostics.js";
import { changeGraph, omittedNote, pictureMarkdown, type ChangePicture } from "../../review/change-graph.js";
import { diffFlows, htmlChangeList, renderDiff, type DiffFormat, type FileDiff } from "../../review/diff.js";
import { InputError, readSource, toPosix, type SourceText } from "../files.js";
import { formatReport } from "../report.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CommandIO } from "./io.js";

const run = promisify(execFile);

export interface DiffArgs {
  /** `OLD NEW`; with `git`, optional paths to limit the comparison; or git's seven driver arguments. */
  readonly files: readonly string[];
  /** Compare the working tree with this revision (`--git REV`). */
  readonly git?: string;
  /** `html`: a self-contained page with each file's change list and a picture of the change. */
  readonly format: DiffFormat | "html";
  /** Cut pictures to widgets within this many exits of a change (default: only flows of more than 20 widgets, at 1). */
  readonly context?: number;
}

/** What one side of a comparison holds: a flow, nothing (file absent) or syntax errors. */
interface Broken {
  /** The name the source was parsed under, as its diagnostics give it. */
  readonly name: string;
  readonly source: string;
  readonly diagnostics: readonly Diagnostic[];
}
type Side = { readonly flow: Flow } | { readonly absent: true } | Broken;
type Report = (side: Broken) => void;

function readSide(source: string | undefined, name: string): Side {
  if (source === undefined) return { absent: true };
  const parsed = parse(source, name);
  if (parsed.flow === undefined || hasErrors(parsed.diagnostics))
    return { name, source, diagnostics: parsed.diagnostics };
  return { flow: parsed.flow };
}

/** The same flow with nothing in it, to diff an added or deleted file against. */
function emptied(flow: Flow): Flow {
  return {
    kind: "Flow",
    id: flow.id,
    ...(flow.displayName === undefined ? {} : { displayName: flow.displayName }),
    declarations: [],
    widgets: [],
    span: flow.span,
  };
}

class DiffFailure extends Error {}

/** A file's changes and the two flows they were found between, for the picture. */
interface Compared {
  readonly file: FileDiff;
  readonly oldFlow: Flow;
  readonly newFlow: Flow;
}

/** Diffs two sides; reports syntax errors through `report` and returns undefined for them. */
function compare(oldPath: string, oldSide: Side, newPath: string, newSide: Side, report: Report): Compared | undefined {
  let broken = false;
  for (const side of [oldSide, newSide]) {
    if ("diagnostics" in side) {
      report(side);
      broken = true;
    }
  }
  if (broken) return undefined;
  const between = (status: FileDiff["status"], oldFlow: Flow, newFlow: Flow): Compared => ({
    file: { oldPath, newPath, status, changes: diffFlows(oldFlow, newFlow) },
    oldFlow,
    newFlow,
  });
  if ("flow" in oldSide && "flow" in newSide) return between("modified", oldSide.flow, newSide.flow);
  if ("flow" in newSide) return between("added", emptied(newSide.flow), newSide.flow);
  if ("flow" in oldSide) return between("removed", oldSide.flow, emptied(oldSide.flow));
  return undefined;
}

/** The picture of each file's change, where one can be drawn. */
function pictures(compared: readonly Compared[], context: number | undefined): Map<FileDiff, ChangePicture> {
  const map = new Map<FileDiff, ChangePicture>();
  for (const { file, oldFlow, newFlow } of compared) {
    const picture = changeGraph(oldFlow, newFlow, file.changes, context);
    if (picture !== undefined) map.set(file, picture);
  }
  return map;
}

/**
 * The ends whose worst case a change raised (docs/time-budgets.md). Computed here, not in review/, which
 * builds on grammar/ alone: the figures are the compiler's.
 */
function raisedTimes(compared: Compared): BudgetChange[] {
  return raisedBudgets(flowBudget(compared.oldFlow), flowBudget(compared.newFlow));
}

/** The diffs in the requested format: Markdown gets a Mermaid picture under each file, HTML an SVG one. */
async function render(compared: readonly Compared[], args: DiffArgs, io: CommandIO): Promise<string> {
  const files = compared.map((c) => c.file);
  const raised = new Map(compared.map((c) => [c.file, raisedTimes(c)]));
  if (args.format === "html") return await renderHtml(compared, args.context, raised);
  if (args.format === "json") {
    const json = JSON.parse(renderDiff(files, "json")) as Record<string, unknown>;
    const timeBudgets = compared.flatMap((c) =>
      raised.get(c.file)!.map((change) => ({ file: c.file.newPath, ...change })),
    );
    return JSON.stringify({ ...json, timeBudgets }, null, 2) + "\n";
  }
  if (args.format === "text") {
    const notes = compared.flatMap((c) =>
      raised.get(c.file)!.map((change) => `${c.file.newPath}: worst case raised, ${describeChange(change)}\n`),
    );
    return renderDiff(files, "text", io.color) + notes.join("");
  }
  const drawn = pictures(compared, args.context);
  return renderDiff(files, "markdown", false, (file) => {
    const picture = drawn.get(file);
    const notes = raised.get(file)!.map((change) => `Worst case raised: ${describeChange(change)}.`);
    const parts = [...notes, ...(picture === undefined ? [] : [pictureMarkdown(picture)])];
    return parts.length === 0 ? undefined : parts.join("\n\n");
  });
}

async function renderHtml(
  compared: readonly Compared[],
  context: number | undefined,
  raised: ReadonlyMap<FileDiff, readonly BudgetChange[]>,
): Promise<string> {
  // Loaded only here: the WebAssembly Graphviz module is large, and other formats never need it.
  const { escapeHtml, htmlPage, pictureHtml } = await import("../../review/svg.js");
  const drawn = pictures(compared, context);
  const sections: string[] = [];
  for (const [index, { file }] of compared.entries()) {
    const picture = drawn.get(file);
    sections.push(
      [
        htmlChangeList(file),
        ...(raised.get(file) ?? []).map((change) => `<p>Worst case raised: ${escapeHtml(describeChange(change))}.</p>`),
        ...(picture === undefined ? [] : [await pictureHtml(picture.graph, omittedNote(picture), `file-${index + 1}`)]),
      ].join("\n"),
    );
  }
  return htmlPage("Flow changes", ["<h1>Flow changes</h1>", ...sections].join("\n"));
}

/**
 * Exit 0 when nothing changed in meaning, 1 when something did, 2 on errors (unreadable
 * file, syntax errors, git failure, wrong arguments). As git's diff driver it exits 0
 * whenever it printed a diff, since git stops at a non-zero exit.
 */
export async function diffCommand(args: DiffArgs, io: CommandIO): Promise<number> {
  const report: Report = (side) => {
    io.stderr(formatReport(side.diagnostics, new Map([[side.name, side.source]]), "pretty", io.color) + "\n");
  };
  try {
    if (args.git !== undefined) return await diffGit(args.git, args, io, report);
    if (args.files.length === 7) return await diffDriver(args, io);
    if (args.files.length !== 2) {
      io.stderr("callflow diff: give two files (OLD NEW), or --git REV [files...]\n");
      return EXIT_USAGE;
    }
    const [oldPath = "", newPath = ""] = args.files;
    const oldSide = readSide(await readText(io, oldPath), oldPath);
    const newSide = readSide(await readText(io, newPath), newPath);
    const compared = compare(oldPath, oldSide, newPath, newSide, report);
    if (compared === undefined) return EXIT_USAGE;
    io.stdout(await render([compared], args, io));
    return compared.file.changes.length > 0 ? EXIT_FAILURE : EXIT_OK;
  } catch (error) {
    if (!(error instanceof DiffFailure)) throw error;
    io.stderr(`callflow diff: ${error.message}\n`);
    return EXIT_USAGE;
  }
}

async function readText(io: CommandIO, file: string): Promise<string> {
  let read: SourceText;
  try {
    read = await readSource(io.cwd, file);
  } catch (error) {
    throw new DiffFailure(error instanceof InputError ? error.message : String(error));
  }
  if ("invalid" in read) throw new DiffFailure(`${file}:${read.invalid.span.line}: ${read.invalid.message}`);
  return read.text;
}

async function git(cwd: string, gitArgs: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run("git", gitArgs, { cwd, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new DiffFailure(`git ${gitArgs[0] ?? ""} failed${stderr ? `: ${stderr}` : ""}`);
  }
}

/** `--git REV [files...]`: every changed .flow file (or the given paths), REV against the working tree. */
async function diffGit(rev: string, args: DiffArgs, io: CommandIO, report: Report): Promise<number> {
  // git would read a leading dash as an option (`--output=...` writes a file).
  if (rev.startsWith("-")) throw new DiffFailure(`not a revision: ${rev}`);
  const root = (await git(io.cwd, ["rev-parse", "--show-toplevel"])).trim();
  // Paths from `git diff` are relative to the repository root; pathspecs to the working directory.
  const pathspecs = args.files.length > 0 ? args.files : [":(glob)**/*.flow"];
  const listing = await git(io.cwd, ["diff", "--name-status", "--no-renames", "-z", rev, "--", ...pathspecs]);
  const fields = listing.split("\0").filter((f) => f !== "");
  const results: Compared[] = [];
  let broken = false;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const status = fields[i] ?? "";
    const rel = fields[i + 1] ?? "";
    if (!rel.endsWith(".flow")) continue;
    const shown = toPosix(path.relative(io.cwd, path.join(root, rel))) || rel;
    const oldSource = status.startsWith("A") ? undefined : await git(root, ["show", `${rev}:${rel}`]);
    const newSource = status.startsWith("D") ? undefined : await readText(io, path.join(root, rel));
    const file = compare(shown, readSide(oldSource, `${rev}:${shown}`), shown, readSide(newSource, shown), report);
    if (file === undefined) broken = true;
    else results.push(file);
  }
  if (results.length === 0 && !broken) {
    if (args.format === "json") io.stdout(renderDiff([], "json"));
    else if (args.format === "html") io.stdout(await render([], args, io));
    else io.stdout(`No .flow file changed since ${rev}.\n`);
    return EXIT_OK;
  }
  if (results.length > 0) io.stdout(await render(results, args, io));
  if (broken) return EXIT_USAGE;
  return results.some((c) => c.file.changes.length > 0) ? EXIT_FAILURE : EXIT_OK;
}

/**
 * git's external diff protocol: `path old-file old-hex old-mode new-file new-hex new-mode`,
 * with /dev/null for a side that does not exist. A side that does not parse falls back to a
 * line diff so `git diff` still shows something useful.
 */
async function diffDriver(args: DiffArgs, io: CommandIO): Promise<number> {
  const [shown = "", oldFile = "", , , newFile = ""] = args.files;
  const read = async (file: string): Promise<string | undefined> =>
    file === "/dev/null" ? undefined : await readText(io, file);
  const oldSource = await read(oldFile);
  const newSource = await read(newFile);
  const oldSide = readSide(oldSource, shown);
  const newSide = readSide(newSource, shown);
  const compared = compare(shown, oldSide, shown, newSide, (side) => {
    io.stderr(`callflow diff: the ${side === oldSide ? "old" : "new"} ${shown} does not parse; showing a line diff\n`);
  });
  if (compared === undefined) {
    io.stdout(createTwoFilesPatch(`a/${shown}`, `b/${shown}`, oldSource ?? "", newSource ?? ""));
    return EXIT_OK;
  }
  io.stdout(await render([compared], args, io));
  return EXIT_OK;
}
