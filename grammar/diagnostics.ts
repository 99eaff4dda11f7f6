// The one catalogue of diagnostics. Codes are stable: never reuse or renumber one.
// CF1xxx: syntax (lexer, parser, AST building), except CF1008 and CF1009 (unknown method and
// type), which the checker reports since the runtime's contract lists the methods and types.
// CF2xxx: semantics (validation). CF3xxx: test files (.flowtest), checked against their flow.
import type { Span } from "./spans.js";

export type Severity = "error" | "warning";

/** Another place a diagnostic refers to: the first declaration of a duplicate, a likely target. */
export interface RelatedLocation {
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly hint?: string;
  readonly related?: readonly RelatedLocation[];
}

interface MessageTemplate {
  readonly code: string;
  readonly severity: Severity;
  /** `{0}`, `{1}`, ... are replaced by the arguments, in order. */
  readonly text: string;
}

export const messages = {
  // ---- syntax: CF1xxx
  unexpectedCharacter: { code: "CF1001", severity: "error", text: "Unexpected character {0}." },
  unterminatedString: {
    code: "CF1002",
    severity: "error",
    text: "Unterminated string: add the closing double quote on the same line.",
  },
  invalidEscape: { code: "CF1003", severity: "error", text: "Invalid escape sequence {0} in string." },
  expectedToken: { code: "CF1004", severity: "error", text: "Expected {0} but found {1}." },
  unexpectedToken: { code: "CF1005", severity: "error", text: "Unexpected {0}: expected {1}." },
  invalidInterpolation: {
    code: "CF1006",
    severity: "error",
    text: "Invalid interpolation {0}: use {{name}} for a variable or {{secret.NAME}} for a secret.",
  },
  duplicateSetting: { code: "CF1007", severity: "error", text: "Duplicate setting '{0}' in widget '{1}'." },
  unknownMethod: {
    code: "CF1008",
    severity: "error",
    text: "Unknown HTTP method '{0}': use {1}.",
  },
  unknownType: { code: "CF1009", severity: "error", text: "Unknown type '{0}': use {1}." },
  invalidNumber: { code: "CF1010", severity: "error", text: "Invalid number {0}." },
  extraContent: {
    code: "CF1011",
    severity: "error",
    text: "Only one flow is allowed per file; found {0} after the flow.",
  },
  nestingTooDeep: {
    code: "CF1012",
    severity: "error",
    text: "Nesting is deeper than {0} levels; the file is not parsed further.",
  },
  stringTooLong: {
    code: "CF1013",
    severity: "error",
    text: "A string is longer than {0} characters; the file is not parsed further.",
  },
  expressionTooLarge: {
    code: "CF1014",
    severity: "error",
    text: "A condition has more than {0} terms; split it over several widgets.",
  },
  invalidUtf8: { code: "CF1015", severity: "error", text: "The file is not valid UTF-8: invalid bytes at byte {0}." },
  lengthOutsideCondition: {
    code: "CF1016",
    severity: "error",
    text: "'{0}.length' can only be read in a condition: a value here is a variable, a literal, an object or an array.",
  },

  // ---- semantics: CF2xxx
  unknownExitTarget: { code: "CF2001", severity: "error", text: "Exit '{0}' points to unknown widget '{1}'." },
  missingStart: { code: "CF2002", severity: "error", text: "Flow '{0}' has no 'start -> WIDGET' line." },
  missingSuccessExit: { code: "CF2003", severity: "error", text: "Http widget '{0}' has no 'success -> WIDGET' exit." },
  missingFailExit: { code: "CF2004", severity: "error", text: "Http widget '{0}' has no 'fail -> WIDGET' exit." },
  missingElse: { code: "CF2005", severity: "error", text: "Condition '{0}' has no 'else -> WIDGET' exit." },
  duplicateWidget: { code: "CF2006", severity: "error", text: "Duplicate widget id '{0}'." },
  duplicateDeclaration: { code: "CF2007", severity: "error", text: "'{0}' is declared more than once." },
  undeclaredVariable: { code: "CF2008", severity: "error", text: "Variable '{0}' is not declared." },
  undeclaredSecret: { code: "CF2009", severity: "error", text: "Secret '{0}' is not declared." },
  defaultTypeMismatch: {
    code: "CF2010",
    severity: "error",
    text: "Default value of '{0}' is {1}, but '{0}' is declared as {2}.",
  },
  assignmentTypeMismatch: {
    code: "CF2011",
    severity: "error",
    text: "Cannot assign {1} to '{0}', which is declared as {2}.",
  },
  comparisonTypeMismatch: { code: "CF2012", severity: "error", text: "Operator '{0}' cannot compare {1} with {2}." },
  countOutOfRange: {
    code: "CF2013",
    severity: "error",
    text: "{0} must be a whole number from {1} to {2}; found {3}.",
  },
  urlNotAbsolute: {
    code: "CF2014",
    severity: "error",
    text: "url must be an absolute http:// or https:// URL; found {0}.",
  },
  invalidJsonPath: { code: "CF2015", severity: "error", text: "Invalid JSONPath {0}: {1}." },
  bodyOnGet: {
    code: "CF2016",
    severity: "warning",
    text: "A GET request with a body: fetch cannot send one, so the step will take its Fail exit.",
  },
  contentTypeMismatch: { code: "CF2017", severity: "error", text: "content_type {0} contradicts the {1} body." },
  unusedSecret: { code: "CF2018", severity: "warning", text: "Secret '{0}' is declared but never used." },
  unusedVariable: { code: "CF2019", severity: "warning", text: "Variable '{0}' is declared but never used." },
  unreachableWidget: { code: "CF2020", severity: "warning", text: "Widget '{0}' is unreachable from start." },
  literalCredential: {
    code: "CF2021",
    severity: "error",
    text: "{0} holds a literal credential; put it in a secret and write {{secret.NAME}}.",
  },
  secretInUrl: {
    code: "CF2022",
    severity: "warning",
    text: "Secret '{0}' is sent in the {1}, and URLs end up in server and proxy logs.",
  },
  retryWithoutIdempotencyKey: {
    code: "CF2023",
    severity: "warning",
    text: "retry on {0} without an Idempotency-Key header may repeat a side effect.",
  },
  missingUrl: { code: "CF2024", severity: "error", text: "Http widget '{0}' has no url." },
  missingMethod: { code: "CF2025", severity: "error", text: "Http widget '{0}' has no method." },
  missingNextExit: { code: "CF2026", severity: "error", text: "Widget '{0}' has no 'next -> WIDGET' exit." },
  missingMessage: { code: "CF2027", severity: "error", text: "Send widget '{0}' has no message." },
  missingQueue: { code: "CF2028", severity: "error", text: "Route widget '{0}' has no queue." },
  resultTypeMismatch: { code: "CF2029", severity: "error", text: "The {0} is {1}, but '{2}' is declared as {3}." },
  secretNotAllowed: {
    code: "CF2030",
    severity: "error",
    text: "A secret cannot be used in {0}: its value would leave the flow.",
  },
  durationOutOfRange: { code: "CF2031", severity: "error", text: "{0} must be from {1} to {2}; found {3}." },
  duplicateKey: { code: "CF2032", severity: "warning", text: "'{0}' is set more than once in {1}." },
  conditionNotBoolean: { code: "CF2033", severity: "error", text: "{0} must be a boolean; found {1}." },
  interpolationNotAllowed: {
    code: "CF2034",
    severity: "error",
    text: "{0} must be a plain string: interpolation is not supported there.",
  },
  loopWithoutExit: {
    code: "CF2035",
    severity: "error",
    text: "Widgets {0} form a loop with no way out: the flow can never end from there.",
  },
  loopWithoutStep: {
    code: "CF2036",
    severity: "warning",
    text: "Widgets {0} form a loop with no {1} step: it can only spin until the step limit.",
  },
  maskedIntoUnmasked: {
    code: "CF2037",
    severity: "error",
    text: "{0} copies masked '{1}' into '{2}', which is not masked: its value would be shown.",
  },
  reservedName: {
    code: "CF2038",
    severity: "error",
    text: "'{0}' is a reserved name: it is a property of every JavaScript object.",
  },
  statusOutOfRange: { code: "CF2039", severity: "error", text: "Status {0} is not an HTTP status: use 100 to 599." },
  unknownStatusClass: { code: "CF2040", severity: "error", text: "Unknown status class {0}: use 1xx to 5xx." },
  duplicateStatus: {
    code: "CF2041",
    severity: "error",
    text: "{0} is routed more than once in widget '{1}': each status goes to one exit.",
  },
  successStatus: {
    code: "CF2042",
    severity: "error",
    text: "{0} is a success status: a 2xx response leaves through `success`.",
  },
  valueDoesNotFitFormat: { code: "CF2043", severity: "error", text: "'{0}' is {1}: {2} is not {3}." },
  lengthOfNonArray: { code: "CF2044", severity: "error", text: "'{0}' is {1}: only an array has a length." },
  unboundedJsonPath: {
    code: "CF2045",
    severity: "error",
    text: "JSONPath {0} could run without bound on a response, blocking the process past any timeout: {1}.",
  },
  // CF2046, CF2047: time budgets, reported only against a deadline (docs/time-budgets.md).
  pathOverDeadline: {
    code: "CF2046",
    severity: "warning",
    text: "Path {0} can take {1}, over the {2}; '{3}' contributes most ({4}).",
  },
  unboundedPath: {
    code: "CF2047",
    severity: "warning",
    text: "Path {0} can take unbounded time: the loop {1} makes requests, over the {2}.",
  },
  // CF2060 to CF2069: `config` values (docs/environments.md).
  configDefault: {
    code: "CF2060",
    severity: "error",
    text: "Config '{0}' cannot have a default: its value comes from the environment.",
  },
  configReadOnly: {
    code: "CF2061",
    severity: "error",
    text: "Config '{0}' is read-only: its value comes from the environment.",
  },
  unpinnedOriginWithSecret: {
    code: "CF2062",
    severity: "error",
    text: "Widget '{0}' sends a secret or masked value to a host decided by '{1}': only literals and configs may decide where a request goes.",
  },
  unpinnedOrigin: {
    code: "CF2063",
    severity: "warning",
    text: "Widget '{0}' sends its request to a host decided by '{1}': only literals and configs should decide where a request goes.",
  },

  // ---- the project file (callflow.json) and its environments: CF4xxx, listed in docs/environments.md
  projectSyntax: { code: "CF4001", severity: "error", text: "callflow.json is not valid JSON: {0}." },
  projectShape: { code: "CF4002", severity: "error", text: "{0} must be {1}." },
  projectUnknownKey: { code: "CF4003", severity: "error", text: "Unknown key '{0}' in {1}: use {2}." },
  unknownEnvironment: { code: "CF4004", severity: "error", text: "There is no environment '{0}' in {1}: use {2}." },
  missingConfig: {
    code: "CF4005",
    severity: "error",
    text: "Environment '{0}' has no value for config '{1}' of flow '{2}'.",
  },
  configValueMismatch: {
    code: "CF4006",
    severity: "error",
    text: "Config '{0}' in environment '{1}' must be {2}; found {3}.",
  },
  unknownConfigKey: {
    code: "CF4007",
    severity: "error",
    text: "Environment '{0}' sets config '{1}', which no flow of the project declares.",
  },
  missingSecretSource: {
    code: "CF4008",
    severity: "error",
    text: "Environment '{0}' names no source for secret '{1}' of flow '{2}'.",
  },
  unknownSecretKey: {
    code: "CF4009",
    severity: "warning",
    text: "Environment '{0}' names a source for secret '{1}', which no flow of the project declares.",
  },

  ruleFailed: {
    code: "CF2999",
    severity: "error",
    text: "The check '{0}' failed on this flow ({1}); the other checks ran. Please report this with the file.",
  },
  // ---- test files (.flowtest): CF3xxx, listed in docs/testing.md
  flowNotFound: { code: "CF3001", severity: "error", text: "Cannot read the flow {0} ({1})." },
  flowHasErrors: { code: "CF3002", severity: "error", text: "The flow {0} has errors; run 'callflow check {0}'." },
  unknownTestWidget: { code: "CF3003", severity: "error", text: "The flow has no widget '{0}'." },
  notHttpWidget: { code: "CF3004", severity: "error", text: "'{0}' is a {1} widget; {2} needs an http widget." },
  duplicateMock: { code: "CF3005", severity: "error", text: "Widget '{0}' is mocked more than once in this test." },
  mockWithoutReply: { code: "CF3006", severity: "error", text: "Mock '{0}' has no reply." },
  unknownTestVariable: { code: "CF3007", severity: "error", text: "The flow declares no variable '{0}'." },
  notAGlobal: { code: "CF3008", severity: "error", text: "'{0}' is not a global of flow '{1}'." },
  notASecret: { code: "CF3009", severity: "error", text: "'{0}' is not a secret of flow '{1}'." },
  testValueTypeMismatch: { code: "CF3010", severity: "error", text: "{0} is {1}, but '{2}' is declared as {3}." },
  testValueNotLiteral: {
    code: "CF3011",
    severity: "error",
    text: "Test values are written out: found {0}, expected a string, number, boolean, null, object or array.",
  },
  replyStatusOutOfRange: {
    code: "CF3012",
    severity: "error",
    text: "A reply status must be a whole number from 100 to 599; found {0}.",
  },
  duplicateTestName: { code: "CF3013", severity: "warning", text: "Another test in this file is named {0}." },
  flowOutsideProject: { code: "CF3014", severity: "error", text: "The flow {0} is outside the project." },
  targetNotFlowFile: { code: "CF3015", severity: "error", text: "A test file tests a .flow file; {0} is not one." },
  notAConfig: { code: "CF3020", severity: "error", text: "'{0}' is not a config of flow '{1}'." },
} as const satisfies Record<string, MessageTemplate>;

export type MessageKey = keyof typeof messages;

/** Every code of the catalogue: `"CF1001" | ... | "CF4009"`. */
export type DiagnosticCode = (typeof messages)[MessageKey]["code"];

/** Builds a diagnostic from the catalogue. */
export function diagnostic(
  key: MessageKey,
  span: Span,
  args: readonly (string | number)[] = [],
  hint?: string,
  related?: readonly RelatedLocation[],
): Diagnostic {
  const template = messages[key];
  const message = (template.text as string).replace(/\{(\d+)\}/g, (whole, index: string) => {
    const arg = args[Number(index)];
    return arg === undefined ? whole : String(arg);
  });
  const made: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
    code: template.code,
    severity: template.severity,
    message,
    span,
  };
  if (hint !== undefined) made.hint = hint;
  if (related !== undefined && related.length > 0) made.related = related;
  return made;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Stable order for printing: by file, offset, then code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1 : 0) ||
      a.span.offset - b.span.offset ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}
