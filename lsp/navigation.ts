// Go to definition, find references and rename, over the names the analysis indexed. Only names
// the front end read as names are touched: text in a string that merely looks like a name is not
// an occurrence, so a rename never changes it.
import { ResponseError, ErrorCodes, type Location, type Range, type TextEdit } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { tokenMatcher } from "chevrotain";
import { hasErrors, messages, type Diagnostic } from "../grammar/diagnostics.js";
import { Name, tokenize } from "../grammar/tokens.js";
import { RESERVED } from "../compiler/rules/declarations.js";
import { occurrenceAt, occurrencesOf, type Analysis, type Occurrence } from "./analysis.js";
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
