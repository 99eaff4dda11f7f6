// The document store: the editor's open documents, the language each one is (chosen once, when it
// opens), and the analysis of each document's current version, made once per version by the same
// front end as `callflow check`. A `.flowtest` reaches its flow through here: the editor's text
// when the flow is open, else the file on disk.
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TextDocuments } from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { analyze, emptyAnalysis, type Analysis } from "./analysis.js";
import { analyzeFlowtest, type FlowtestAnalysis } from "./flowtest.js";
import type { Opened } from "./navigation.js";

/** The languages the server speaks, by file extension: each has its own services. */
export type Language = "flow" | "flowtest";

/** A flow a test file names is read from disk up to this size (the 5 MB flows the server is tested on fit). */
const MAX_FLOW_BYTES = 64 * 1024 * 1024;

export function languageOfUri(uri: string): Language {
  return uri.endsWith(".flowtest") ? "flowtest" : "flow";
}

/** A document's path when it is a file, else its URI (an untitled document is checked by its name). */
export function fileOf(uri: string): string {
  return uri.startsWith("file:") ? fileURLToPath(uri) : uri;
}

interface Cached<A> {
  readonly version: number;
  readonly analysis: A;
}

export class Workspace {
  readonly documents = new TextDocuments(TextDocument);
  private readonly languages = new Map<string, Language>();
  private readonly flows = new Map<string, Cached<Analysis>>();
  private readonly tests = new Map<string, Cached<FlowtestAnalysis>>();

  /** `log` receives what went wrong, for the client's log: no analysis may take the server down. */
  constructor(private readonly log: (message: string) => void) {}

  /** The language of an open document, chosen the first time it is asked for and kept until it closes. */
  languageOf(document: TextDocument): Language {
    let language = this.languages.get(document.uri);
    if (language === undefined) this.languages.set(document.uri, (language = languageOfUri(document.uri)));
    return language;
  }

  /** The analysis of a `.flow` document's current version. */
  flowAnalysis(document: TextDocument): Analysis {
    return this.cached(this.flows, document, analyze, emptyAnalysis);
  }

  /** The analysis of a `.flowtest` document's current version. */
  testAnalysis(document: TextDocument): FlowtestAnalysis {
    return this.cached(this.tests, document, analyzeFlowtest, (text) => ({
      text,
      file: undefined,
      diagnostics: [],
      flowPath: undefined,
      occurrences: [],
    }));
  }

  private cached<A>(
    cache: Map<string, Cached<A>>,
    document: TextDocument,
    make: (text: string, file: string) => A,
    empty: (text: string) => A,
  ): A {
    const hit = cache.get(document.uri);
    if (hit?.version === document.version) return hit.analysis;
    const text = document.getText();
    let analysis: A;
    try {
      analysis = make(text, fileOf(document.uri));
    } catch (error) {
      this.log(`checking ${document.uri} failed: ${describe(error)}`);
      analysis = empty(text);
    }
    cache.set(document.uri, { version: document.version, analysis });
    return analysis;
  }

  /** The flow at a path: the editor's text when it has the file open, else the file on disk. */
  flowAt(flowPath: string): Opened<Analysis> | { readonly unreadable: string } {
    const open = this.documents.all().find((d) => this.languageOf(d) === "flow" && fileOf(d.uri) === flowPath);
    if (open !== undefined) return { uri: open.uri, document: open, analysis: this.flowAnalysis(open) };
    let text: string;
    let fd: number | undefined;
    try {
      // A FIFO opens at once with O_NONBLOCK; checked and read on the descriptor, what is checked is what is read.
      fd = openSync(flowPath, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
      const stat = fstatSync(fd);
      if (!stat.isFile()) return { unreadable: "not a file" };
      if (stat.size > MAX_FLOW_BYTES) return { unreadable: `larger than ${MAX_FLOW_BYTES} bytes` };
      text = readFileSync(fd, "utf8");
    } catch (error) {
      return { unreadable: (error as NodeJS.ErrnoException).code ?? String(error) };
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const uri = pathToFileURL(flowPath).href;
    return { uri, document: TextDocument.create(uri, "flow", 0, text), analysis: analyze(text, flowPath) };
  }

  /** The flow a test file names, when it names one and it can be read. */
  flowOfTest(test: FlowtestAnalysis): Opened<Analysis> | undefined {
    if (test.flowPath === undefined) return undefined;
    const flow = this.flowAt(test.flowPath);
    return "unreadable" in flow ? undefined : flow;
  }

  /** The open test files that name the flow at a path. */
  testsOf(flowPath: string): Opened<FlowtestAnalysis>[] {
    return this.documents
      .all()
      .filter((document) => this.languageOf(document) === "flowtest")
      .map((document) => ({ uri: document.uri, document, analysis: this.testAnalysis(document) }))
      .filter((test) => test.analysis.flowPath === flowPath);
  }

  /** Drops what is known of a closed document. */
  forget(uri: string): void {
    this.languages.delete(uri);
    this.flows.delete(uri);
    this.tests.delete(uri);
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
