// fast-check arbitraries for `.flow` sources that parse and validate without errors
// (warnings such as an unused variable may remain), written in a deliberately messy layout:
// random whitespace and line breaks between tokens, comments anywhere a comment may go,
// settings and flow items in shuffled order, redundant parentheses, optional trailing
// commas and alternative string escapes. Reused by the formatter, diff and compiler tests.
import fc from "fast-check";

/** The random choices a generator makes. */
export interface Rng {
  int(min: number, max: number): number;
  chance(percent: number): boolean;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
}

/**
 * Choices drawn from a list of numbers that fast-check generates and shrinks: shrinking
 * the numbers toward 0 (and the list toward empty, where every choice is the first
 * option) shrinks a failing flow toward a simple one. Far faster than fc.gen() per choice.
 */
export function rngOf(entropy: readonly number[]): Rng {
  let next = 0;
  const int = (min: number, max: number): number => {
    const n = entropy[next++] ?? 0;
    return min + (n % (max - min + 1));
  };
  return {
    int,
    // Zero means "no": a shrunk (zeroed) list of choices leaves optional parts out.
    chance: (percent) => int(0, 99) >= 100 - percent,
    pick<T>(items: readonly T[]): T {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new Error("pick from an empty list");
      return item;
    },
    shuffle<T>(items: readonly T[]): T[] {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
  };
}

export interface GeneratedFlow {
  /** The flow, in messy layout. */
  readonly source: string;
  /** How many comments the source holds. */
  readonly comments: number;
  /** Widget ids in source order. */
  readonly widgets: readonly string[];
}

export interface FlowOptions {
  /** Percentage of token gaps that get a comment; 0 for none. */
  readonly commentRate?: number;
  /** Lay tokens out messily (default) or one construct per line. */
  readonly messy?: boolean;
}

// ---------------------------------------------------------------- layout

class Writer {
  private readonly parts: string[] = [];
  comments = 0;

  constructor(
    private readonly rng: Rng,
    private readonly options: Required<FlowOptions>,
  ) {}

  /** Appends tokens with a random gap (whitespace, line breaks or a comment) before each. */
  tok(...texts: string[]): void {
    for (const text of texts) {
      if (this.parts.length > 0) this.parts.push(this.gap());
      this.parts.push(text);
    }
  }

  private gap(): string {
    const { rng } = this;
    if (rng.chance(this.options.commentRate)) {
      this.comments++;
      return `${rng.pick([" ", "  ", "\n"])}${this.commentText()}\n${rng.pick(["", "  ", "    "])}`;
    }
    if (!this.options.messy) return " ";
    const r = rng.int(0, 99);
    if (r < 60) return " ";
    if (r < 85) return `\n${"  ".repeat(rng.int(0, 3))}`;
    if (r < 93) return "\n\n  ";
    return rng.pick(["\t", "   ", " \r\n ", "\n\n\n"]);
  }

  commentText(): string {
    const marker = this.rng.pick(["#", "//", "# ", "// ", "##"]);
    const body = this.rng.pick(["", "note", 'a "quoted" {brace} -> x', "TODO: fix", "é ✓", "# nested", "//"]);
    return `${marker}${body}`;
  }

  /** Where the next token will go, for {@link wrap}. */
  mark(): number {
    return this.parts.length;
  }

  /** Puts parentheses around everything written since `mark`. */
  wrap(mark: number): void {
    const first = mark === 0 ? 0 : mark + 1;
    this.parts.splice(first, 0, "(", this.gap());
    this.parts.push(this.gap(), ")");
  }

  /** A comment after the last token, on its line or below it. */
  endComment(): void {
    this.comments++;
    this.parts.push(`${this.rng.pick([" ", "\n", "\n\n"])}${this.commentText()}`);
  }

  /** A comment on a line of its own before the flow. */
  lineComment(): void {
    this.comments++;
    this.parts.push(`${this.commentText()}\n${this.rng.chance(30) ? "\n" : ""}`);
  }

  text(): string {
    return this.parts.join("") + (this.rng.chance(80) ? "\n" : "");
  }
}

// ---------------------------------------------------------------- names and literals

type VarType = "string" | "number" | "boolean" | "json";

interface Var {
  readonly name: string;
  readonly type: VarType;
}

// Soft keywords are legal names; `secret` is left out because `secret.X` reads as a secret.
const NAMES = [
  "order_id",
  "caller",
  "x",
  "_tmp",
  "item2",
  "ship_date",
  "balance",
  "vip",
  "status",
  "next",
  "method",
  "queue",
  "flow",
  "when",
  "header",
  "body",
  "json",
  "text",
  "form",
  "url",
  "start",
  "end",
  "http",
  "set",
  "send",
  "route",
  "masked",
  "global",
  "local",
  "results",
  "retry",
  "timeout",
  "message",
  "else",
  "fail",
  "success",
  "condition",
  "query",
  "headers",
  "authorization",
  "content_type",
];
const SECRET_NAMES = ["CRM_TOKEN", "HOOK_KEY", "API_KEY", "S1", "secret2"];

/** Decoded string text: no `{{`, `}}` and no lone brace next to another, so no accidental interpolation. */
function plainText(rng: Rng): string {
  const pieces = [
    "a",
    "Z",
    "0",
    " ",
    "hello",
    "é",
    "😀",
    '"',
    "\\",
    "\n",
    "\t",
    "/",
    "\u2028",
    "$",
    "#",
    "// ",
    " { ",
    " } ",
    "'",
    "\u0001",
  ];
  let out = "";
  for (let i = rng.int(0, 4); i > 0; i--) out += rng.pick(pieces);
  return out;
}

/** One character as a JSON escape or as itself, at random where both are legal. */
function encodeChar(rng: Rng, ch: string): string {
  const code = ch.charCodeAt(0);
  switch (ch) {
    case '"':
      return '\\"';
    case "\\":
      return "\\\\";
    case "\n":
      return rng.chance(50) ? "\\n" : "\\u000a";
    case "\t":
      return rng.chance(50) ? "\\t" : "\\u0009";
    case "/":
      return rng.chance(50) ? "\\/" : "/";
    case "\b":
      return "\\b";
    case "\f":
      return "\\f";
    case "\r":
      return "\\r";
  }
  if (code < 0x20) return `\\u${code.toString(16).padStart(4, "0")}`;
  if (/[A-Za-z]/.test(ch) && rng.chance(10)) return `\\u${code.toString(16).padStart(4, "0").toUpperCase()}`;
  return ch;
}

/** Source text of a string literal made of plain text and `{{ref}}` interpolations. */
function stringLiteral(rng: Rng, refs: readonly string[] = []): string {
  let out = "";
  const count = refs.length === 0 ? 0 : rng.int(0, 2);
  for (let i = 0; i <= count; i++) {
    for (const ch of plainText(rng)) out += encodeChar(rng, ch);
    if (i < count) out += `{{${rng.pick(refs)}}}`;
  }
  return `"${out}"`;
}

function numberLiteral(rng: Rng): string {
  return rng.pick(["0", "1", "42", "-7", "1.50", "0.25", "1e3", "2E-2", "-0.5", "100"]);
}

// ---------------------------------------------------------------- the generator

/** Operator precedence, loosest first, as the grammar defines it. */
const Prec = { Or: 1, And: 2, Not: 3, Comparison: 4, Primary: 5 } as const;
type Prec = (typeof Prec)[keyof typeof Prec];

class FlowGenerator {
  readonly out: Writer;
  private readonly names: string[];
  readonly vars: Var[] = [];
  private readonly masked = new Set<string>();
  readonly secrets: string[] = [];
  readonly widgetIds: string[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly options: Required<FlowOptions>,
  ) {
    this.out = new Writer(rng, options);
    this.names = rng.shuffle(NAMES);
  }

  private freshName(): string {
    const name = this.names.pop();
    if (name === undefined) throw new Error("out of names");
    return name;
  }

  /** While set, values read only unmasked variables: a masked value may not be copied into an unmasked one. */
  private unmaskedOnly = false;

  private readable(): Var[] {
    return this.unmaskedOnly ? this.vars.filter((v) => !this.masked.has(v.name)) : this.vars;
  }

  private varsOf(type: VarType): Var[] {
    return this.readable().filter((v) => v.type === type);
  }

  private interpolations(secrets: boolean): string[] {
    return [...this.readable().map((v) => v.name), ...(secrets ? this.secrets.map((s) => `secret.${s}`) : [])];
  }

  // -------------------------------------------------------------- values

  /** A value of `type`; `refs` allows variables (and `secrets` secret references). */
  value(type: VarType, refs: boolean, secrets = false, depth = 0): void {
    const { rng, out } = this;
    const vars = refs ? this.varsOf(type) : [];
    if (vars.length > 0 && rng.chance(30)) {
      out.tok(rng.pick(vars).name);
      return;
    }
    switch (type) {
      case "string":
        if (secrets && this.secrets.length > 0 && rng.chance(20)) out.tok("secret", ".", rng.pick(this.secrets));
        else out.tok(stringLiteral(rng, refs ? this.interpolations(secrets) : []));
        return;
      case "number":
        out.tok(numberLiteral(rng));
        return;
      case "boolean":
        out.tok(rng.pick(["true", "false"]));
        return;
      case "json":
        this.json(refs, secrets, depth);
        return;
    }
  }

  json(refs: boolean, secrets: boolean, depth: number): void {
    const { rng, out } = this;
    const r = depth >= 2 ? rng.int(0, 5) : rng.int(0, 9);
    if (r <= 3) {
      this.value(rng.pick(["string", "number", "boolean"] as const), refs, secrets, depth + 1);
    } else if (r === 4) {
      out.tok("null");
    } else if (r === 5 && refs && this.readable().length > 0) {
      out.tok(rng.pick(this.readable()).name);
    } else if (r <= 7) {
      out.tok("[");
      const n = rng.int(0, 3);
      for (let i = 0; i < n; i++) {
        if (i > 0) out.tok(",");
        this.json(refs, secrets, depth + 1);
      }
      if (n > 0 && rng.chance(20)) out.tok(",");
      out.tok("]");
    } else {
      out.tok("{");
      const keys = rng.shuffle(["a", "order", "x-y", "", "with space", "é", 'q"uote']).slice(0, rng.int(0, 3));
      keys.forEach((key, i) => {
        if (i > 0) out.tok(",");
        out.tok(JSON.stringify(key), ":");
        this.json(refs, secrets, depth + 1);
      });
      if (keys.length > 0 && rng.chance(20)) out.tok(",");
      out.tok("}");
    }
  }

  // -------------------------------------------------------------- expressions

  /** A boolean expression; parentheses where precedence needs them, and some that it does not. */
  expr(depth: number): Prec {
    const { rng, out } = this;
    const r = depth >= 3 ? rng.int(0, 3) : rng.int(0, 9);
    if (r === 0) {
      const bools = this.varsOf("boolean");
      out.tok(bools.length > 0 && rng.chance(70) ? rng.pick(bools).name : rng.pick(["true", "false"]));
      return Prec.Primary;
    }
    if (r <= 3) {
      this.comparison();
      return Prec.Comparison;
    }
    if (r <= 5) {
      out.tok("not");
      this.operand(depth + 1, Prec.Not, false);
      return Prec.Not;
    }
    if (r === 6) {
      // A parenthesized condition compared with a boolean: `(a or b) == true`.
      out.tok("(");
      this.expr(depth + 1);
      out.tok(")", rng.pick(["==", "!="]), rng.pick(["true", "false"]));
      return Prec.Comparison;
    }
    const op = rng.pick(["and", "or"] as const);
    const prec = op === "and" ? Prec.And : Prec.Or;
    this.operand(depth + 1, prec, false);
    out.tok(op);
    this.operand(depth + 1, prec, true);
    return prec;
  }

  /** Writes an operand of an operator of precedence `parent`, parenthesized when it must be. */
  private operand(depth: number, parent: Prec, right: boolean): void {
    // The operand's precedence is known only once it is written; parentheses go in afterwards.
    const marker = this.out.mark();
    const prec = this.expr(depth);
    const needed = prec < parent || (right && prec === parent && parent !== Prec.Not);
    if (needed || this.rng.chance(10)) this.out.wrap(marker);
  }

  private comparison(): void {
    const { rng, out } = this;
    const type = rng.pick(["number", "string", "boolean", "json"] as const);
    const side = (t: VarType): void => {
      const vars = this.varsOf(t);
      if (vars.length > 0 && rng.chance(60)) out.tok(rng.pick(vars).name);
      else if (t === "number") out.tok(numberLiteral(rng));
      else if (t === "boolean") out.tok(rng.pick(["true", "false"]));
      else out.tok(stringLiteral(rng));
    };
    const paren = (write: () => void): void => {
      if (!rng.chance(10)) return write();
      out.tok("(");
      write();
      out.tok(")");
    };
    if (type === "json") {
      const json = this.varsOf("json");
      if (json.length === 0) return this.comparison();
      paren(() => out.tok(rng.pick(json).name));
      out.tok(rng.pick(["==", "!=", "contains"]));
      paren(() => side(rng.pick(["number", "string", "boolean"] as const)));
      return;
    }
    const ops =
      type === "boolean"
        ? ["==", "!="]
        : type === "string"
          ? ["==", "!=", "<", "<=", ">", ">=", "contains"]
          : ["==", "!=", "<", "<=", ">", ">="];
    paren(() => side(type));
    out.tok(rng.pick(ops));
    paren(() => side(type));
  }

  // -------------------------------------------------------------- declarations and widgets

  declarations(): Array<() => void> {
    const { rng } = this;
    const items: Array<() => void> = [];
    for (let i = rng.int(1, 6); i > 0; i--) {
      const v: Var = { name: this.freshName(), type: rng.pick(["string", "number", "boolean", "json"] as const) };
      this.vars.push(v);
      const scope = rng.pick(["global", "local"]);
      const withDefault = rng.chance(50);
      const masked = rng.chance(20);
      if (masked) this.masked.add(v.name);
      items.push(() => {
        this.out.tok(scope, v.name, ":", v.type);
        if (withDefault) {
          this.out.tok("=");
          this.value(v.type, false);
        }
        if (masked) this.out.tok("masked");
      });
    }
    for (let i = rng.int(0, 3); i > 0; i--) {
      const name = SECRET_NAMES[this.secrets.length];
      if (name === undefined) break;
      this.secrets.push(name);
      items.push(() => this.out.tok("secret", name));
    }
    return items;
  }

  /**
   * `label -> WIDGET`. Every widget has one exit to a later widget (`next`, `fail`, `else`) and
   * the last is terminal, so every loop has a way out: the loop's last widget leaves it.
   */
  exit(label: string, from?: string): void {
    const later = from === undefined ? [] : this.widgetIds.slice(this.widgetIds.indexOf(from) + 1);
    this.out.tok(label, "->", this.rng.pick(later.length > 0 ? later : this.widgetIds));
  }

  displayName(): void {
    if (this.rng.chance(60)) this.out.tok(stringLiteral(this.rng));
  }

  /** Writes the settings in `parts`, in random order. */
  private inAnyOrder(parts: Array<(() => void) | false>): void {
    for (const part of this.rng.shuffle(parts.filter((p): p is () => void => p !== false))) part();
  }

  keyValues(keys: readonly string[], write: (key: string) => void): void {
    this.out.tok("{");
    for (const key of keys) {
      const quoted = !/^[A-Za-z_]\w*$/.test(key) || this.rng.chance(30);
      this.out.tok(quoted ? JSON.stringify(key) : key, "=");
      write(key);
    }
    this.out.tok("}");
  }

  http(id: string): void {
    const { rng, out } = this;
    const method = rng.pick(["GET", "POST", "PUT", "PATCH", "DELETE"] as const);
    const retry = rng.chance(40);
    const bodyKind = method === "GET" || rng.chance(30) ? undefined : rng.pick(["json", "form", "text"] as const);
    const headerNames = rng.shuffle(["Accept", "X-Trace", "X-Request-Source", "X-Hook-Key"]).slice(0, rng.int(0, 3));
    if (retry && (method === "POST" || method === "PATCH")) headerNames.push("Idempotency-Key");
    const results = this.vars.length === 0 ? 0 : rng.int(0, 4);
    out.tok("http", id);
    this.displayName();
    out.tok("{");
    this.inAnyOrder([
      () => out.tok("method", method),
      () =>
        out.tok(
          "url",
          `"https://api.example.com/${rng.pick(["orders", "a/b", "x?y=1"])}${this.vars.length > 0 && rng.chance(50) ? `/{{${rng.pick(this.vars).name}}}` : ""}"`,
        ),
      rng.chance(40) &&
        (() => {
          out.tok("query");
          this.keyValues(rng.shuffle(["include", "page", "caller id", "q"]).slice(0, rng.int(0, 3)), () =>
            this.value(rng.pick(["string", "number", "boolean"] as const), true),
          );
        }),
      this.secrets.length > 0 &&
        rng.chance(50) &&
        (() =>
          out.tok(
            "authorization",
            rng.chance(50) ? `"Bearer {{secret.${rng.pick(this.secrets)}}}"` : `secret.${rng.pick(this.secrets)}`,
          )),
      headerNames.length > 0 &&
        (() => {
          out.tok("headers");
          this.keyValues(headerNames, (name) => {
            if (name === "X-Hook-Key") {
              if (this.secrets.length > 0) out.tok(`"{{secret.${rng.pick(this.secrets)}}}"`);
              else out.tok(this.vars.length > 0 ? rng.pick(this.vars).name : "null");
            } else {
              this.value("string", true, true);
            }
          });
        }),
      bodyKind !== undefined &&
        rng.chance(50) &&
        (() =>
          out.tok(
            "content_type",
            bodyKind === "json"
              ? '"application/json"'
              : bodyKind === "form"
                ? '"application/x-www-form-urlencoded"'
                : '"text/plain; charset=utf-8"',
          )),
      bodyKind !== undefined &&
        (() => {
          out.tok("body", bodyKind);
          if (bodyKind === "json") this.json(true, true, 0);
          else if (bodyKind === "text") out.tok(stringLiteral(rng, this.interpolations(true)));
          else
            this.keyValues(rng.shuffle(["phone", "channel", "a b", "n"]).slice(0, rng.int(0, 3)), () =>
              this.value(rng.pick(["string", "number", "boolean"] as const), true, true),
            );
        }),
      retry && (() => out.tok("retry", rng.pick(["1", "2", "3", "2.0"]))),
      rng.chance(50) && (() => out.tok("timeout", rng.pick(["250ms", "5s", "2m", "10m", "1ms", "600s"]))),
      results > 0 &&
        (() => {
          out.tok("results", "{");
          for (let i = 0; i < results; i++) {
            const kind = rng.int(0, 5);
            const stringish = this.vars.filter((v) => v.type === "string" || v.type === "json");
            const numberish = this.vars.filter((v) => v.type !== "boolean");
            if (kind === 0 && numberish.length > 0) {
              out.tok("status", "->", rng.pick(numberish).name);
            } else if (kind === 1 && stringish.length > 0) {
              out.tok("header", JSON.stringify(rng.pick(["X-Request-Id", "ETag"])), "->", rng.pick(stringish).name);
            } else {
              out.tok(
                JSON.stringify(
                  rng.pick(["$.a", "$.items[0].name", "$.customer.vip", "$.items.length", "$..id", "$['x-y']"]),
                ),
                "->",
                rng.pick(this.vars).name,
              );
            }
          }
          out.tok("}");
        }),
      () => this.exit("success"),
      () => this.exit("fail", id),
    ]);
    out.tok("}");
  }

  widget(id: string): void {
    const { rng, out } = this;
    const last = id === this.widgetIds.at(-1);
    switch (
      last
        ? rng.pick(["route", "end"] as const)
        : rng.pick(["http", "http", "condition", "set", "send", "route", "end"] as const)
    ) {
      case "http":
        this.http(id);
        return;
      case "condition": {
        out.tok("condition", id);
        this.displayName();
        out.tok("{");
        const branches = rng.int(0, 3);
        const elseAt = rng.chance(80) ? branches : rng.int(0, branches);
        for (let i = 0; i <= branches; i++) {
          if (i === elseAt) this.exit("else", id);
          if (i < branches) {
            out.tok("when");
            this.expr(0);
            out.tok("->", rng.pick(this.widgetIds));
          }
        }
        out.tok("}");
        return;
      }
      case "set": {
        out.tok("set", id);
        this.displayName();
        out.tok("{");
        const count = this.vars.length === 0 ? 0 : rng.int(1, 3);
        const nextAt = rng.chance(80) ? count : rng.int(0, count);
        for (let i = 0; i <= count; i++) {
          if (i === nextAt) this.exit("next", id);
          if (i < count) {
            const v = rng.pick(this.vars);
            out.tok(v.name, "=");
            this.unmaskedOnly = !this.masked.has(v.name);
            this.value(v.type, true);
            this.unmaskedOnly = false;
          }
        }
        out.tok("}");
        return;
      }
      case "send":
        out.tok("send", id);
        this.displayName();
        out.tok("{");
        this.inAnyOrder([
          () => out.tok("message", stringLiteral(rng, this.interpolations(false))),
          () => this.exit("next", id),
        ]);
        out.tok("}");
        return;
      case "route":
        out.tok("route", id);
        this.displayName();
        out.tok("{", "queue", stringLiteral(rng), "}");
        return;
      case "end":
        out.tok("end", id);
        this.displayName();
        if (rng.chance(30)) out.tok("{", "}");
        return;
    }
  }

  flow(): void {
    const { rng, out } = this;
    for (let i = rng.int(0, 2); i > 0; i--) out.lineComment();
    const flowId = this.freshName();
    const declarations = this.declarations();
    for (let i = rng.int(1, 7); i > 0; i--) this.widgetIds.push(this.freshName());
    const first = this.widgetIds[0] ?? "";
    const widgets = this.widgetIds.map((id) => () => this.widget(id));
    const start = (): void => out.tok("start", "->", first);
    // Mostly declarations, start, widgets; sometimes all mixed up, which the grammar allows.
    const items = rng.chance(25)
      ? rng.shuffle([...declarations, start, ...widgets])
      : [...declarations, start, ...widgets];
    out.tok("flow", flowId);
    if (rng.chance(60)) out.tok(stringLiteral(rng));
    out.tok("{");
    for (const item of items) item();
    out.tok("}");
    if (this.options.commentRate > 0 && rng.chance(20)) out.endComment();
  }
}

/** Sources of random valid flows. */
export function validFlow(options: FlowOptions = {}): fc.Arbitrary<GeneratedFlow> {
  const settings: Required<FlowOptions> = { commentRate: options.commentRate ?? 4, messy: options.messy ?? true };
  // Each shrink step regenerates a whole flow; a bounded number keeps a failing run short.
  const entropy = fc.limitShrink(fc.array(fc.nat(), { minLength: 0, maxLength: 3000, size: "max" }), 150);
  return entropy.map((entropy) => {
    const generator = new FlowGenerator(rngOf(entropy), settings);
    generator.flow();
    return { source: generator.out.text(), comments: generator.out.comments, widgets: generator.widgetIds };
  });
}
