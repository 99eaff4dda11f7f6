// Go to definition, find references and rename, over the names the analysis indexed. Only names
// the front end read as names are touched: text in a string that merely looks like a name is not
// an occurrence, so a rename never changes it.
import {
  ResponseError,
  ErrorCodes,
  type Location,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { tokenMatcher } from "chevrotain";
import { hasErrors, messages, type Diagnostic } from "../grammar/diagnostics.js";
import { Name, tokenize } from "../grammar/tokens.js";
import { RESERVED } from "../compiler/rules/declarations.js";
import { occurrenceAt, occurrencesOf, type Analysis, type Namespace, type Occurrence } from "./analysis.js";
import type { FlowtestAnalysis } from "./flowtest.js";
import { rangeAt } from "./positions.js";

/** CF1xxx but the checker's two (an unknown method or type: the syntax around them is sound). */
function isSyntaxError(d: Diagnostic): boolean {
  return d.code.startsWith("CF1") && d.code !== messages.unknownMethod.code && d.code !== messages.unknownType.code;
}

/** Whether the lexer reads the text as one name: an identifier or a soft keyword, not `and` or `true`. */
function isName(text: string): boolean {
  const { tokens, errors } = tokenize(text);
  const [token] = tokens;
  return errors.length === 0 && tokens.length === 1 && token?.image === text && tokenMatcher(token, Name);
}

function rangeOfOccurrence(document: TextDocument, o: Occurrence): Range {
  return rangeAt(document, o.offset, o.offset + o.length);
}

export function definition(analysis: Analysis, document: TextDocument, offset: number): Location | null {
  const at = occurrenceAt(analysis, offset);
  if (at === undefined) return null;
  const target = occurrencesOf(analysis, at.name, at.namespace).find((o) => o.definition);
  return target === undefined ? null : { uri: document.uri, range: rangeOfOccurrence(document, target) };
}

export function references(
  analysis: Analysis,
  document: TextDocument,
  offset: number,
  includeDeclaration: boolean,
): Location[] {
  const at = occurrenceAt(analysis, offset);
  if (at === undefined) return [];
  return occurrencesOf(analysis, at.name, at.namespace)
    .filter((o) => includeDeclaration || !o.definition)
    .map((o) => ({ uri: document.uri, range: rangeOfOccurrence(document, o) }));
}

export function prepareRename(
  analysis: Analysis,
  document: TextDocument,
  offset: number,
): { range: Range; placeholder: string } | null {
  const at = occurrenceAt(analysis, offset);
  if (at === undefined) return null;
  return { range: rangeOfOccurrence(document, at), placeholder: at.name };
}

/** The edits of a rename, or a ResponseError whose message the editor shows. */
export function rename(
  analysis: Analysis,
  document: TextDocument,
  offset: number,
  newName: string,
): TextEdit[] | ResponseError {
  const refuse = (message: string) => new ResponseError(ErrorCodes.InvalidRequest, message);
  const at = occurrenceAt(analysis, offset);
  if (at === undefined) return refuse("Put the cursor on a widget id or a variable or secret name to rename it.");
  if (hasErrors(analysis.diagnostics.filter(isSyntaxError)))
    return refuse("The file has syntax errors: fix them first, so that every use of the name is found.");
  if (!isName(newName))
    return refuse(
      `'${newName}' is not a valid name: use letters, digits and _, not starting with a digit, and not a reserved word.`,
    );
  // CF2038 would follow.
  if (RESERVED.has(newName))
    return refuse(`'${newName}' is a reserved name: it is a property of every JavaScript object.`);
  if (newName === at.name) return [];
  const what = at.namespace === "widget" ? "widget" : "variable or secret";
  const taken =
    at.namespace === "widget" ? analysis.scope?.widgetIndex.has(newName) : analysis.scope?.declarations.has(newName);
  if (taken === true) return refuse(`A ${what} named '${newName}' already exists.`);
  // Every name token is replaced by another name token (soft keywords are names wherever a name
  // goes), so the file reads exactly as before.
  const occurrences = occurrencesOf(analysis, at.name, at.namespace);
  return occurrences.map((o) => ({ range: rangeOfOccurrence(document, o), newText: newName }));
}

/** A document and what the server knows of it: a flow, or a test file that names a flow. */
export interface Opened<A> {
  readonly uri: string;
  readonly document: TextDocument;
  readonly analysis: A;
}

/** Where the test files name a widget id or a variable of their flow. */
export function testLocations(
  tests: readonly Opened<FlowtestAnalysis>[],
  name: string,
  namespace: Namespace,
): Location[] {
  return tests.flatMap((test) =>
    occurrencesOf(test.analysis, name, namespace).map((o) => ({
      uri: test.uri,
      range: rangeOfOccurrence(test.document, o),
    })),
  );
}

/**
 * A rename in a flow (`offset` is on the name there) and in the open test files that name it:
 * the flow's refusals, and a refusal when one of those test files has syntax errors (a name
 * after the error would be missed).
 */
export function renameAcross(
  flow: Opened<Analysis>,
  tests: readonly Opened<FlowtestAnalysis>[],
  offset: number,
  newName: string,
): WorkspaceEdit | ResponseError {
  const edits = rename(flow.analysis, flow.document, offset, newName);
  if (edits instanceof ResponseError) return edits;
  const changes: Record<string, TextEdit[]> = { [flow.uri]: edits };
  const at = occurrenceAt(flow.analysis, offset);
  if (at === undefined || edits.length === 0) return { changes };
  for (const test of tests) {
    if (hasErrors(test.analysis.diagnostics))
      return new ResponseError(
        ErrorCodes.InvalidRequest,
        `The test file ${test.uri.slice(test.uri.lastIndexOf("/") + 1)} has syntax errors: fix them first, so that every use of the name is found.`,
      );
    const found = occurrencesOf(test.analysis, at.name, at.namespace);
    if (found.length > 0)
      changes[test.uri] = found.map((o) => ({ range: rangeOfOccurrence(test.document, o), newText: newName }));
  }
  return { changes };
}
