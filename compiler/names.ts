// Identifiers and literals for generated code. Flow names (`order_status`) become idiomatic
// TypeScript names (`OrderStatus`, `orderStatusFlow`, `runOrderStatus`); variable, secret
// and widget names stay exactly as written, as object keys and string literal types.
//
// Collisions: a generated module declares only names built from the flow id with a fixed
// prefix or suffix (`…Input`, `…Locals`, `…Variables`, `…Secret`, `…WidgetId`, `…Flow`,
// `run…`) and imports the runtime's names (`FlowDefinition`, `RunOptions`, `RunResult`,
// `run`, `toText`, `encodeSegment`, `prop`). No suffixed name can equal an import, `run…`
// always has a non-empty capitalised tail, and every TypeScript reserved word is lowercase
// without a capital inside, so neither reserved words nor collisions can occur.

/** Every non-empty run of ASCII letters and digits in a flow id (ids are `[A-Za-z_][A-Za-z0-9_]*`). */
function words(id: string): string[] {
  return id.split(/[^A-Za-z0-9]+/).filter((word) => word !== "");
}

/** `order_status` → `OrderStatus`; a leading digit gets a `Flow` prefix; an id of only underscores is `Flow`. */
export function typeName(id: string): string {
  const name = words(id)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join("");
  return name === "" || /^[0-9]/.test(name) ? `Flow${name}` : name;
}

/** `order_status` → `orderStatus`: the stem of the flow value's name. */
export function valueStem(id: string): string {
  const type = typeName(id);
  return type[0]!.toLowerCase() + type.slice(1);
}

/** The names one generated module declares for a flow. */
export interface ModuleNames {
  readonly input: string;
  readonly config: string;
  readonly locals: string;
  readonly variables: string;
  readonly secret: string;
  readonly widgetId: string;
  readonly flow: string;
  readonly run: string;
}

export function moduleNames(flowId: string): ModuleNames {
  const type = typeName(flowId);
  return {
    input: `${type}Input`,
    config: `${type}Config`,
    locals: `${type}Locals`,
    variables: `${type}Variables`,
    secret: `${type}Secret`,
    widgetId: `${type}WidgetId`,
    flow: `${valueStem(flowId)}Flow`,
    run: `run${type}`,
  };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Printable ASCII other than `"` and `\\`. */
const PLAIN = /^[ !#-[\]-~]*$/;

/**
 * A string as a TypeScript string literal that evaluates to exactly the same string.
 * JSON.stringify escapes quotes, backslashes, C0 controls and lone surrogates; on top of
 * that every other control, format (bidi overrides, zero-width characters, BOM) and line or
 * paragraph separator character is written as a \u escape, so a reviewer sees it and no
 * editor or older parser can take it for a line break.
 */
export function stringLiteral(value: string): string {
  // Most strings (ids, paths, plain text) need no escape at all; the check is much cheaper.
  if (PLAIN.test(value)) return `"${value}"`;
  const literal = JSON.stringify(value).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => {
    const code = c.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
  // A final backslash is written \u005c: ts-morph's writer (code-block-writer) tracks strings
  // by looking one character back and takes `\\"` for an escaped quote, so it would think
  // the string goes on, and then misread and "repair" the code after it.
  return literal.endsWith('\\\\"') ? `${literal.slice(0, -3)}\\u005c"` : literal;
}

/**
 * An object literal key or property signature name: bare when it is an identifier, quoted
 * otherwise. `__proto__` is computed, because as a plain key in an object literal it sets the
 * prototype instead of creating a property.
 */
export function propertyKey(name: string): string {
  if (name === "__proto__") return `[${stringLiteral(name)}]`;
  return IDENTIFIER.test(name) ? name : stringLiteral(name);
}

/** `object.name`, or `object["name"]` when the name is not an identifier. */
export function propertyAccess(object: string, name: string): string {
  return IDENTIFIER.test(name) ? `${object}.${name}` : `${object}[${stringLiteral(name)}]`;
}

/**
 * Text from the .flow file (or a path) for a `//` comment: escaped like the inside of a string
 * literal, so line terminators and invisible characters show as escapes, and with every
 * star-slash broken up, so the text could not end a block comment either.
 */
export function commentText(value: string): string {
  return stringLiteral(value).slice(1, -1).replaceAll("*/", "*\\/");
}
