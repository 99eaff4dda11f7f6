// What the server knows about one document: the front end's result (`checkSource`, exactly what
// `callflow check` runs) and an index of every name in it, with the span of the name itself.
// Everything else (hover, navigation, rename, completion, outline, actions) reads this.
import type { Comment, Flow } from "../grammar/ast.js";
import type { Diagnostic } from "../grammar/diagnostics.js";
import type { Span } from "../grammar/spans.js";
import { forEachExit } from "../grammar/widgets.js";
import { checkSource } from "../compiler/check.js";
import {
  buildScope,
  declarationReferences,
  widgetReferences,
  type ReferenceSink,
  type Scope,
} from "../compiler/scope.js";

/** Widget ids are one namespace; variables and secrets share the other. */
export type Namespace = "widget" | "declaration";

/** One place a name is written. */
export interface Occurrence {
  readonly name: string;
  readonly namespace: Namespace;
  /** A declaration (`local x`, `secret X`) or a widget's own id. */
  readonly definition: boolean;
  /** Assigned to: a result or `set` target. */
  readonly write: boolean;
  /** Written `secret.NAME` or `{{secret.NAME}}`. */
  readonly secret: boolean;
  /** The name alone (without `secret.`). */
  readonly offset: number;
  readonly length: number;
}

export interface Analysis {
  readonly text: string;
  /** The recovered tree, whatever the errors. */
  readonly flow: Flow | undefined;
  readonly comments: readonly Comment[];
  readonly diagnostics: readonly Diagnostic[];
  readonly scope: Scope | undefined;
  /** Sorted by offset. */
  readonly occurrences: readonly Occurrence[];
}

/** What a request gets when checking failed, or on a `.flowtest` document for `.flow`-only features. */
export function emptyAnalysis(text: string): Analysis {
  return { text, flow: undefined, comments: [], diagnostics: [], scope: undefined, occurrences: [] };
}

/**
 * Checks a document. The scope and the index of names are made on first use: publishing
 * diagnostics after a change needs neither, and it is what runs on every keystroke.
 */
export function analyze(text: string, file: string): Analysis {
  const { flow, comments, diagnostics } = checkSource(text, file);
  if (flow === undefined) return { text, flow, comments, diagnostics, scope: undefined, occurrences: [] };
  let index: { scope: Scope; occurrences: Occurrence[] } | undefined;
  const indexed = () => (index ??= indexNames(text, flow));
  return {
    text,
    flow,
    comments,
    diagnostics,
    get scope() {
      return indexed().scope;
    },
    get occurrences() {
      return indexed().occurrences;
    },
  };
}

function indexNames(text: string, flow: Flow): { scope: Scope; occurrences: Occurrence[] } {
  const scope = buildScope(flow);
  const occurrences: Occurrence[] = [];
  const add = (name: string, namespace: Namespace, span: Span, definition: boolean, write = false, secret = false) => {
    // The name is the end of the span (`secret.NAME` spans the prefix too); a span whose text is
    // not the name (never expected) is left out rather than risk a rename touching other text.
    const offset = span.offset + span.length - name.length;
    if (text.startsWith(name, offset))
      occurrences.push({ name, namespace, definition, write, secret, offset, length: name.length });
  };
  const sink: ReferenceSink = {
    scope,
    emit: (ref) => add(ref.name, "declaration", ref.span, false, ref.write, ref.secret),
  };
  for (const decl of flow.declarations) {
    add(decl.name.name, "declaration", decl.name.span, true);
    declarationReferences(decl, sink);
  }
  if (flow.start !== undefined) add(flow.start.target.name, "widget", flow.start.target.span, false);
  for (const widget of flow.widgets) {
    add(widget.id.name, "widget", widget.id.span, true);
    forEachExit(widget, (_label, target) => add(target.name, "widget", target.span, false));
    widgetReferences(widget, sink);
  }
  occurrences.sort((a, b) => a.offset - b.offset);
  return { scope, occurrences };
}

/** The occurrence under (or just after) the cursor. */
export function occurrenceAt(analysis: Pick<Analysis, "occurrences">, offset: number): Occurrence | undefined {
  const list = analysis.occurrences;
  let low = 0;
  let high = list.length - 1;
  // The last occurrence starting at or before the offset.
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((list[mid] as Occurrence).offset <= offset) low = mid;
    else high = mid - 1;
  }
  const found = list[low];
  return found !== undefined && found.offset <= offset && offset <= found.offset + found.length ? found : undefined;
}

/** Every occurrence of a name in a namespace, in source order. */
export function occurrencesOf(
  analysis: Pick<Analysis, "occurrences">,
  name: string,
  namespace: Namespace,
): Occurrence[] {
  return analysis.occurrences.filter((o) => o.name === name && o.namespace === namespace);
}
