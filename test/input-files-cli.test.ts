// Issue 22: what the CLI reads and writes, through the built CLI in child processes. Inputs are regular files
// (a FIFO is refused at once, never waited on); `compile` writes only inside --out-dir, never through a link or
// onto anything but a regular file, and replaces a module by renaming a complete file over it.
import { execFile, execFileSync } from "node:child_process";
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  type Dirent,
} from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLES, tempDir } from "./compile-helpers.js";
import { CLI } from "./helpers/cli.js";

const temp = tempDir("input-files");
afterAll(() => temp.remove());

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI in `cwd`; a command that blocks (the old behaviour on a FIFO) is killed after 30 s and fails (code -1). */
function callflow(args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

const ORDER_STATUS = readFileSync(path.join(EXAMPLES, "order-status.flow"), "utf8");
const PAYMENT_STATUS = readFileSync(path.join(EXAMPLES, "payment-status.flow"), "utf8");

/** A fresh folder below the temporary one, with `files` written into it (folders made). */
function folder(name: string, files: Readonly<Record<string, string>> = {}): string {
  const dir = path.join(temp.dir, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every file below `dir`, relative and sorted. */
function filesBelow(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .sort();
}

describe("inputs that are not regular files (issue 22, item 4)", () => {
  it("every command that reads files refuses a FIFO at once with exit 2, never waiting for a writer", async () => {
    const dir = folder("fifo", { "ok.flow": ORDER_STATUS });
    execFileSync("mkfifo", [path.join(dir, "pipe.flow"), path.join(dir, "pipe.flowtest")]);
    const commands = [
      ["check", "pipe.flow"],
      ["compile", "pipe.flow", "--out-dir", "out"],
      ["compile", "pipe.flow", "--out-dir", "out", "--check"],
      ["fmt", "pipe.flow"],
      ["fmt", "--check", "pipe.flow"],
      ["run", "pipe.flow"],
      ["graph", "pipe.flow"],
      ["diff", "pipe.flow", "ok.flow"],
      ["diff", "ok.flow", "pipe.flow"],
      ["test", "pipe.flowtest"],
      ["check", "pipe.flowtest"],
    ];
    // One at a time: the machine's cores are few, and each answers at once.
    for (const args of commands) {
      const ran = await callflow(args, dir);
      const name = args.find((arg) => arg.startsWith("pipe."));
      expect(ran.code, `${args.join(" ")}: ${ran.stderr}`).toBe(2);
      expect(ran.stderr).toContain(`Cannot read ${name}: it is a FIFO (named pipe), not a regular file.`);
    }
  }, 120_000);

  it("refuses the standard input named as a file, and a test file's flow that is a FIFO (CF3001)", async () => {
    const dir = folder("fifo-target", { "callflow.json": "{}\n", "t.flowtest": 'tests for "pipe.flow"\n' });
    execFileSync("mkfifo", [path.join(dir, "pipe.flow")]);
    const [stdin, check, test] = await Promise.all([
      callflow(["check", "/dev/stdin"], dir),
      callflow(["check", "t.flowtest"], dir),
      callflow(["test", "t.flowtest"], dir),
    ]);
    expect(stdin.code, stdin.stderr).toBe(2);
    expect(stdin.stderr).toMatch(/^callflow: Cannot read \/dev\/stdin: it is (a .*, )?not a regular file\.$/m);
    const expected =
      "t.flowtest:1:11 - error CF3001: Cannot read the flow pipe.flow (it is a FIFO (named pipe), not a regular file).";
    expect(check.code, check.stdout).toBe(1);
    expect(check.stdout).toContain(expected);
    expect(test.code, test.stdout).toBe(2);
    expect(test.stdout).toContain(expected);
  });
});

describe("code frames only for files asked for (issue 22, item 2)", () => {
  it("a link found in a folder or by a glob that leads out of the project is refused unread; one inside is read", async () => {
    const SECRET = "hunter2-never-printed";
    const dir = folder("links-in", {
      "repo/a.flow": ORDER_STATUS,
      "outside.flow": `flow leaked {\n  ${SECRET} ${SECRET}\n}\n`,
    });
    const repo = path.join(dir, "repo");
    symlinkSync("a.flow", path.join(repo, "b.flow"));
    symlinkSync(path.join(dir, "outside.flow"), path.join(repo, "out.flow"));
    for (const args of [
      ["check"],
      ["check", "*.flow"],
      ["fmt", "--check", "."],
      ["compile", "--check", "--out-dir", "gen"],
    ]) {
      const ran = await callflow(args, repo);
      expect(ran.code, args.join(" ")).toBe(2);
      expect(ran.stderr).toBe(
        "callflow: out.flow is a symbolic link that leads outside .; name it on the command line to read it.\n",
      );
      expect(ran.stdout + ran.stderr).not.toContain(SECRET);
    }
    // With a callflow.json above, the project is the boundary; named on the command line, a link is the user's choice.
    writeFileSync(path.join(dir, "callflow.json"), "{}\n");
    const inProject = await callflow(["check"], repo);
    expect(inProject.code).toBe(1);
    expect(inProject.stdout).toMatch(/^3 files checked: \d+ errors?/m);
    expect((await callflow(["check", "a.flow", "b.flow"], repo)).stdout).toContain("2 files checked: 0 errors");
  });
});

describe("compile writes only inside --out-dir (issue 22, item 3)", () => {
  it("lays out inputs outside the first one's folder below their common folder, inside --out-dir", async () => {
    const dir = folder("layout", { "a/b/c/x.flow": ORDER_STATUS, "other/y.flow": PAYMENT_STATUS });
    const ran = await callflow(["compile", "x.flow", "../../../other/y.flow", "--out-dir", "../gen"], `${dir}/a/b/c`);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(filesBelow(dir)).toEqual([
      "a/b/c/x.flow",
      "a/b/gen/a/b/c/x.flow.ts",
      "a/b/gen/other/y.flow.ts",
      "other/y.flow",
    ]);
    const check = await callflow(
      ["compile", "x.flow", "../../../other/y.flow", "--out-dir", "../gen", "--check"],
      `${dir}/a/b/c`,
    );
    expect(check.stdout).toContain("generated files are up to date");
    // Inputs in one folder keep the layout they always had: the folder's own files at the top of --out-dir.
    const flat = await callflow(["compile", "a/b/c/x.flow", "other/y.flow", "--out-dir", "flat"], dir);
    expect(flat.code).toBe(0);
    expect(filesBelow(path.join(dir, "flat"))).toEqual(["a/b/c/x.flow.ts", "other/y.flow.ts"]);
  });

  it("refuses a symbolic link at an output path or on the way to it, and writes nothing through it", async () => {
    const dir = folder("links", { "x.flow": ORDER_STATUS, "sub/x.flow": ORDER_STATUS });
    mkdirSync(path.join(dir, "elsewhere"));
    mkdirSync(path.join(dir, "out"));
    symlinkSync(path.join(dir, "elsewhere", "planted.ts"), path.join(dir, "out", "x.flow.ts"));
    for (const check of [[], ["--check"]]) {
      const ran = await callflow(["compile", "x.flow", "--out-dir", "out", ...check], dir);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toBe(
        "callflow: The output out/x.flow.ts is a symbolic link, never written through; remove it.\n",
      );
    }
    mkdirSync(path.join(dir, "out2"));
    symlinkSync(path.join(dir, "elsewhere"), path.join(dir, "out2", "sub"));
    const folderLink = await callflow(["compile", "x.flow", "sub/x.flow", "--out-dir", "out2"], dir);
    expect(folderLink.code).toBe(2);
    expect(folderLink.stderr).toContain("callflow: The output out2/sub is a symbolic link, never written through");
    expect(readdirSync(path.join(dir, "elsewhere"))).toEqual([]);
  });

  it("refuses a FIFO or a folder at an output path, with and without --check, at once", async () => {
    const dir = folder("special-outputs", { "x.flow": ORDER_STATUS });
    mkdirSync(path.join(dir, "out", "x.flow.ts"), { recursive: true });
    mkdirSync(path.join(dir, "pipes"));
    execFileSync("mkfifo", [path.join(dir, "pipes", "x.flow.ts")]);
    for (const check of [[], ["--check"]]) {
      const [fifo, folderThere] = await Promise.all([
        callflow(["compile", "x.flow", "--out-dir", "pipes", ...check], dir),
        callflow(["compile", "x.flow", "--out-dir", "out", ...check], dir),
      ]);
      expect(fifo.code, fifo.stderr).toBe(2);
      expect(fifo.stderr).toBe(
        "callflow: The output pipes/x.flow.ts is a FIFO (named pipe), not a regular file; remove it.\n",
      );
      expect(folderThere.code, folderThere.stderr).toBe(2);
      expect(folderThere.stderr).toBe("callflow: The output out/x.flow.ts is a directory; remove it.\n");
    }
  });

  it("replaces a module by renaming a new file over it: another name for the old file keeps the old text", async () => {
    const dir = folder("atomic", { "x.flow": ORDER_STATUS, "out/x.flow.ts": "// stale\n" });
    linkSync(path.join(dir, "out", "x.flow.ts"), path.join(dir, "kept.ts"));
    const ran = await callflow(["compile", "x.flow", "--out-dir", "out"], dir);
    expect(ran.code, ran.stderr).toBe(0);
    expect(readFileSync(path.join(dir, "kept.ts"), "utf8")).toBe("// stale\n");
    expect(readFileSync(path.join(dir, "out", "x.flow.ts"), "utf8")).toContain("export function runOrderStatus(");
    // No temporary file is left beside it.
    expect(filesBelow(path.join(dir, "out"))).toEqual(["x.flow.ts"]);
    expect(existsSync(path.join(dir, "out", "x.flow.ts"))).toBe(true);
  });
});
