// Diagnostics follow each change: at once after a quiet while (an opened file, a keystroke at
// typing speed); changes that come faster wait until the burst pauses, so a held-down key or a
// paste of many edits costs one check, not one per change. A newer change supersedes a check still
// waiting, which is then never made nor published.
import type { Connection } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { toLspDiagnostic } from "./diagnostics.js";
import type { LanguageServices } from "./services.js";
import { describe, type Workspace } from "./workspace.js";

/** Changes closer together than this are a burst: diagnostics wait until it pauses this long. */
export const DIAGNOSTICS_DELAY_MS = 30;

/**
 * Diagnostics published per document, in source order. Random bytes give hundreds of thousands,
 * which no editor lists usefully and which would take the connection seconds to carry.
 */
export const MAX_DIAGNOSTICS = 1000;

export class DiagnosticsPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastChange = new Map<string, number>();

  constructor(
    private readonly connection: Connection,
    private readonly workspace: Workspace,
    private readonly servicesOf: (document: TextDocument) => LanguageServices,
    private readonly links: ReadonlyMap<string, string>,
  ) {}

  /** A document opened or changed: check it, and the open documents that depend on it once the burst pauses. */
  changed(document: TextDocument): void {
    const uri = document.uri;
    const now = performance.now();
    const previous = this.lastChange.get(uri);
    this.lastChange.set(uri, now);
    const quiet = previous === undefined || now - previous >= DIAGNOSTICS_DELAY_MS;
    this.schedule(uri, quiet && !this.timers.has(uri) ? 0 : DIAGNOSTICS_DELAY_MS);
    this.recheckDependents(document);
  }

  /** A document closed: its diagnostics are cleared, and its dependents now read it from disk. */
  closed(document: TextDocument): void {
    const uri = document.uri;
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.lastChange.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    this.recheckDependents(document);
  }

  private recheckDependents(document: TextDocument): void {
    this.guard(() => {
      for (const uri of this.servicesOf(document).dependents(document)) this.schedule(uri, DIAGNOSTICS_DELAY_MS);
    });
  }

  private schedule(uri: string, delay: number): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => this.publish(uri), delay),
    );
  }

  private publish(uri: string): void {
    this.timers.delete(uri);
    const document = this.workspace.documents.get(uri);
    if (document === undefined) return;
    this.guard(() => {
      const all = this.servicesOf(document).diagnostics(document);
      const diagnostics = all
        .slice(0, MAX_DIAGNOSTICS)
        .map(({ d, elsewhere }) => toLspDiagnostic(d, document, this.links, elsewhere));
      if (all.length > MAX_DIAGNOSTICS)
        this.connection.console.info(`${uri}: ${all.length} diagnostics, the first ${MAX_DIAGNOSTICS} are shown`);
      void this.connection.sendDiagnostics({ uri, version: document.version, diagnostics });
    });
  }

  private guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.connection.console.error(`diagnostics failed: ${describe(error)}`);
    }
  }
}
