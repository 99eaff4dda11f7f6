// The language server's stdin as a raw byte stream (issue 22, item 12): a Content-Length that is not a
// number, too short or huge used to leave the server alive and silent for good, or buffering 200 MB. Now it
// exits 2 with the reason on stderr (the editor restarts it), and well-framed messages are answered as before.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLI, ROOT } from "./helpers/cli.js";

interface Ended {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const initialize = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { processId: null, rootUri: null, capabilities: {} },
});
const frame = (body: string, headers = `Content-Length: ${Buffer.byteLength(body)}\r\n`): string =>
  `${headers}\r\n${body}`;

/** Starts `callflow lsp --stdio`, writes `input`, then a well-framed initialize; resolves when the server exits. */
function session(input: string): Promise<Ended> {
  const child = spawn(process.execPath, [CLI, "lsp", "--stdio"], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  let asked = false;
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    // An answer to the initialize: the server reads its input. End the session as an editor does: shutdown,
    // then (once answered) exit.
    if (!stdout.includes('"id":1') || child.stdin.writableEnded) return;
    if (!asked) child.stdin.write(frame(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "shutdown" })));
    asked = true;
    if (stdout.includes('"id":2')) child.stdin.end(frame(JSON.stringify({ jsonrpc: "2.0", method: "exit" })));
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on("error", () => {}); // the server may exit before it reads everything
  child.stdin.write(input);
  child.stdin.write(frame(initialize));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

describe("the language server's message framing", () => {
  it("answers well-framed messages, with or without a Content-Type header", async () => {
    const trace = JSON.stringify({ jsonrpc: "2.0", method: "$/setTrace", params: { value: "off" } });
    const ended = await session(
      frame(trace, `Content-Length: ${trace.length}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n`),
    );
    expect(ended.code).toBe(0);
    expect(ended.stdout).toContain('"capabilities"');
    expect(ended.stderr).not.toContain("callflow lsp:");
  });

  it.each([
    ["a Content-Length that is not a number", frame(initialize, "Content-Length: twelve\r\n"), "is not a number"],
    ["a Content-Length with trailing junk", frame(initialize, "Content-Length: 12abc\r\n"), "is not a number"],
    ["a Content-Length too short", frame(initialize, "Content-Length: 10\r\n"), "too short"],
    ["no Content-Length", frame(initialize, "Content-Type: application/json\r\n"), "without Content-Length"],
    ["a huge Content-Length", frame("{", "Content-Length: 200000000\r\n"), "the limit is 67108864"],
    ["bytes that are no header", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "not a header line"],
  ])("%s: exits 2 with the reason on stderr", async (_name, input, reason) => {
    const ended = await session(input);
    expect(ended.code).toBe(2);
    expect(ended.stderr).toContain("callflow lsp: ");
    expect(ended.stderr).toContain(reason);
    expect(ended.stdout).not.toContain('"result"');
  });
});
