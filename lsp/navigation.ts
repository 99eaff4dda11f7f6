// Go to definition, find references and rename, over the names the analysis indexed. Only names
// the front end read as names are touched: text in a string that merely looks like a name is not
// an occurrence, so a rename never changes it.
import { ResponseError, ErrorCodes, type Location, type Range, type TextEdit } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { hasErrors } from "../grammar/diagnostics.js";
import { analyze, occurrenceAt, occurrencesOf, type Analysis, type Occurrence } from "./analysis.js";
import { rangeAt } from "./positions.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Words that can never be names (grammar/tokens.ts: `reserved`). */
const RESERVED = new Set(["true", "false", "null", "and", "or", "not", "contains"]);

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
  file: string,
): TextEdit[] | ResponseError {
  const refuse = (message: string) => new ResponseError(ErrorCodes.InvalidRequest, message);
  const at = occurrenceAt(analysis, offset);
  if (at === undefined) return refuse("Put the cursor on a widget id or a variable or secret name to rename it.");
  if (hasErrors(analysis.diagnostics.filter((d) => d.code.startsWith("CF1"))))
    return refuse("The file has syntax errors: fix them first, so that every use of the name is found.");
  if (!NAME.test(newName) || RESERVED.has(newName))
    return refuse(
      `'${newName}' is not a valid name: use letters, digits and _, not starting with a digit, and not a reserved word.`,
    );
  if (newName === at.name) return [];
  const what = at.namespace === "widget" ? "widget" : "variable or secret";
  const taken =
    at.namespace === "widget" ? analysis.scope?.widgetIndex.has(newName) : analysis.scope?.declarations.has(newName);
  if (taken === true) return refuse(`A ${what} named '${newName}' already exists.`);
  const occurrences = occurrencesOf(analysis, at.name, at.namespace);
  // A soft keyword is a name in most places but not all: the renamed text must read as before.
  const renamed = applyEdits(analysis.text, occurrences, newName);
  if (analyze(renamed, file).diagnostics.some((d) => d.code.startsWith("CF1") && d.severity === "error"))
    return refuse(`'${newName}' cannot be used as a ${what} name here.`);
  return occurrences.map((o) => ({ range: rangeOfOccurrence(document, o), newText: newName }));
}

function applyEdits(text: string, occurrences: readonly Occurrence[], newName: string): string {
  const parts: string[] = [];
  let from = 0;
  for (const o of occurrences) {
    parts.push(text.slice(from, o.offset), newName);
    from = o.offset + o.length;
  }
  parts.push(text.slice(from));
  return parts.join("");
}
