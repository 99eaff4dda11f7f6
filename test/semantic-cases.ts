// One minimal failing input per semantic diagnostic, shared by validate.test.ts (which
// checks code, severity and position) and diagnostics.test.ts (which checks that every
// CF2xxx code in the catalogue is covered).
import type { Severity } from "../grammar/diagnostics.js";

/** Marks, in a case's source, where the reported span must start. Removed before parsing. */
export const MARK = "‸";

/** A flow that validates with no diagnostics at all; each case changes one thing in it. */
export const BASE = `flow test "Test" {
  global caller: string
  local name: string = "x"
  local count: number = 0
  local ok: boolean = false
  local data: json
  secret TOKEN

  start -> call

  http call "Call" {
    method GET
    url "https://api.example.com/items/{{name}}"
    query {
      from = caller
    }
    authorization "Bearer {{secret.TOKEN}}"
    headers {
      "Accept" = "application/json"
    }
    retry 2
    timeout 5s
    results {
      "$.count" -> count
      "$.data" -> data
    }
    success -> check
    fail -> agents
  }

  condition check {
    when ok == true and count > 0 -> update
    else -> agents
  }

  set update {
    ok = false
    next -> tell
  }

  send tell {
    message "Got {{data}} for {{name}}"
    next -> done
  }

  route agents { queue "support" }
  end done
}
`;

/** BASE with each `[find, replace]` applied; `find` must occur exactly once. */
export function variant(...edits: readonly (readonly [string, string])[]): string {
  let source = BASE;
  for (const [find, replace] of edits) {
    const at = source.indexOf(find);
    if (at < 0 || source.indexOf(find, at + 1) >= 0)
      throw new Error(`variant: ${JSON.stringify(find)} must occur exactly once`);
    source = source.slice(0, at) + replace + source.slice(at + find.length);
  }
  return source;
}

/** The source without its mark, and the 1-based line and column the mark stood at. */
export function unmark(marked: string): { readonly source: string; readonly line: number; readonly column: number } {
  const at = marked.indexOf(MARK);
  if (at < 0) throw new Error("unmark: no mark in source");
  const before = marked.slice(0, at);
  const lines = before.split("\n");
  return {
    source: before + marked.slice(at + MARK.length),
    line: lines.length,
    column: (lines.at(-1) ?? "").length + 1,
  };
}

export interface SemanticCase {
  readonly code: string;
  readonly severity: Severity;
  readonly name: string;
  /** Flow source with MARK where the diagnostic's span starts. */
  readonly source: string;
  /** Codes the same change necessarily reports as well. */
  readonly also?: readonly string[];
}

export const cases: readonly SemanticCase[] = [
  // The runtime's contract lists the methods and types, so the checker reports these two CF1xxx codes.
  {
    code: "CF1008",
    severity: "error",
    name: "a lowercase method",
    source: variant(["method GET", `method ${MARK}get`]),
  },
  {
    code: "CF1009",
    severity: "error",
    name: "an unknown type",
    source: variant(['local name: string = "x"', `local name: ${MARK}strng = "x"`]),
  },
  {
    code: "CF2001",
    severity: "error",
    name: "exit to an unknown widget",
    source: variant(["else -> agents", `else -> ${MARK}agent`]),
  },
  {
    code: "CF2001",
    severity: "error",
    name: "start at an unknown widget",
    source: variant(["start -> call", `start -> ${MARK}cal`]),
  },
  {
    code: "CF2002",
    severity: "error",
    name: "no start",
    source: variant(["flow test", `flow ${MARK}test`], ["  start -> call\n", ""]),
  },
  {
    code: "CF2003",
    severity: "error",
    name: "http without success",
    source: variant(["http call", `http ${MARK}call`], ["    success -> check\n", ""]),
    // check, and update, tell and done behind it, are reached through success only.
    also: ["CF2020", "CF2020", "CF2020", "CF2020"],
  },
  {
    code: "CF2004",
    severity: "error",
    name: "http without fail",
    source: variant(["http call", `http ${MARK}call`], ["    fail -> agents\n", ""]),
  },
  {
    code: "CF2005",
    severity: "error",
    name: "condition without else",
    source: variant(["condition check", `condition ${MARK}check`], ["    else -> agents\n", ""]),
  },
  {
    code: "CF2006",
    severity: "error",
    name: "duplicate widget id",
    source: variant(["  end done\n", `  end done\n  end ${MARK}done\n`]),
  },
  {
    code: "CF2007",
    severity: "error",
    name: "secret named like a variable",
    source: variant(["  secret TOKEN\n", `  secret TOKEN\n  secret ${MARK}name\n`]),
  },
  {
    code: "CF2008",
    severity: "error",
    name: "undeclared variable in a template",
    source: variant(["Got {{data}}", `Got {{${MARK}dat}}`]),
  },
  {
    code: "CF2009",
    severity: "error",
    name: "undeclared secret",
    source: variant(['"Accept" = "application/json"', `"X-Auth" = ${MARK}secret.TOKN`]),
  },
  {
    code: "CF2010",
    severity: "error",
    name: "default of the wrong type",
    source: variant(["count: number = 0", `count: number = ${MARK}"0"`]),
  },
  {
    code: "CF2011",
    severity: "error",
    name: "set value of the wrong type",
    source: variant(["ok = false", `ok = ${MARK}"no"`]),
  },
  {
    code: "CF2012",
    severity: "error",
    name: "comparison of a boolean with a number",
    source: variant(["when ok == true", `when ${MARK}ok == 1`]),
  },
  { code: "CF2013", severity: "error", name: "retry above 3", source: variant(["retry 2", `retry ${MARK}4`]) },
  {
    code: "CF2014",
    severity: "error",
    name: "ftp url",
    source: variant(['url "https://api', `url ${MARK}"ftp://api`]),
  },
  {
    code: "CF2015",
    severity: "error",
    name: "unclosed bracket in a JSONPath",
    source: variant(['"$.count" -> count', `${MARK}"$.count[" -> count`]),
  },
  {
    code: "CF2016",
    severity: "warning",
    name: "body on GET",
    source: variant(["    success -> check\n", `    ${MARK}body text "hi"\n    success -> check\n`]),
  },
  {
    code: "CF2017",
    severity: "error",
    name: "json body sent as text/plain",
    source: variant(
      ["method GET", "method PUT"],
      [
        "    success -> check\n",
        `    content_type ${MARK}"text/plain"\n    body json { "a": 1 }\n    success -> check\n`,
      ],
    ),
  },
  {
    code: "CF2018",
    severity: "warning",
    name: "unused secret",
    source: variant(["  secret TOKEN\n", `  secret TOKEN\n  secret ${MARK}UNUSED\n`]),
  },
  {
    code: "CF2019",
    severity: "warning",
    name: "unused variable",
    source: variant(["  secret TOKEN\n", `  secret TOKEN\n  local ${MARK}spare: string\n`]),
  },
  {
    code: "CF2020",
    severity: "warning",
    name: "unreachable widget",
    source: variant(["  end done\n", `  end done\n  end ${MARK}orphan\n`]),
  },
  {
    code: "CF2021",
    severity: "error",
    name: "literal bearer token",
    source: variant(['authorization "Bearer {{secret.TOKEN}}"', `authorization ${MARK}"Bearer abc123"`]),
    also: ["CF2018"],
  },
  {
    code: "CF2021",
    severity: "error",
    name: "literal API key header",
    source: variant(['"Accept" = "application/json"', `"X-Api-Key" = ${MARK}"k-123"`]),
  },
  {
    code: "CF2022",
    severity: "warning",
    name: "secret in the url",
    source: variant(["items/{{name}}", `items/{{name}}?k={{${MARK}secret.TOKEN}}`]),
  },
  {
    code: "CF2023",
    severity: "warning",
    name: "retry on POST without Idempotency-Key",
    source: variant(["method GET", "method POST"], ["retry 2", `${MARK}retry 2`]),
  },
  {
    code: "CF2024",
    severity: "error",
    name: "http without url",
    source: variant(["http call", `http ${MARK}call`], ['    url "https://api.example.com/items/{{name}}"\n', ""]),
  },
  {
    code: "CF2025",
    severity: "error",
    name: "http without method",
    source: variant(["http call", `http ${MARK}call`], ["    method GET\n", ""]),
  },
  {
    code: "CF2026",
    severity: "error",
    name: "set without next",
    source: variant(["set update", `set ${MARK}update`], ["    next -> tell\n", ""]),
    // tell, and done behind it, are reached through update only.
    also: ["CF2020", "CF2020"],
  },
  {
    code: "CF2027",
    severity: "error",
    name: "send without message",
    source: variant(["send tell", `send ${MARK}tell`], ['    message "Got {{data}} for {{name}}"\n', ""]),
  },
  {
    code: "CF2028",
    severity: "error",
    name: "route without queue",
    source: variant(['route agents { queue "support" }', `route ${MARK}agents { }`]),
  },
  {
    code: "CF2029",
    severity: "error",
    name: "status mapped to a boolean",
    source: variant(['"$.data" -> data', `"$.data" -> data\n      status -> ${MARK}ok`]),
  },
  {
    code: "CF2030",
    severity: "error",
    name: "secret in a send message",
    source: variant(["Got {{data}}", `Got {{data}} {{${MARK}secret.TOKEN}}`]),
  },
  {
    code: "CF2031",
    severity: "error",
    name: "timeout above 10 minutes",
    source: variant(["timeout 5s", `timeout ${MARK}20m`]),
  },
  {
    code: "CF2032",
    severity: "warning",
    name: "duplicate query key",
    source: variant(["from = caller", `from = caller\n      ${MARK}from = name`]),
  },
  {
    code: "CF2033",
    severity: "error",
    name: "number used as a condition",
    source: variant(["when ok == true and count > 0", `when ${MARK}count and ok`]),
  },
  {
    code: "CF2034",
    severity: "error",
    name: "interpolation in a queue name",
    source: variant(['route agents { queue "support" }', `route agents { queue "support-${MARK}{{name}}" }`]),
  },
  {
    code: "CF2034",
    severity: "error",
    name: "interpolation in a query key: it would be sent as written",
    source: variant(["      from = caller", `      ${MARK}"from-{{secret.TOKEN}}" = caller`]),
  },
  {
    code: "CF2034",
    severity: "error",
    name: "interpolation in a header name, not taken for a literal credential",
    source: variant(['"Accept" = "application/json"', `${MARK}"X-{{secret.TOKEN}}-Key" = "abc123"`]),
  },
  {
    code: "CF2015",
    severity: "error",
    name: "a filter calling a function the evaluator does not define",
    source: variant(['"$.data" -> data', `${MARK}"$.data[?(lookup(@.id))]" -> data`]),
  },
  {
    code: "CF2015",
    severity: "error",
    name: "a line separator in a filter",
    source: variant(['"$.data" -> data', `${MARK}"$.data[?(@.id == 1\u2028)]" -> data`]),
  },
  {
    code: "CF2045",
    severity: "error",
    name: "a regular expression in a filter (catastrophic backtracking)",
    source: variant(['"$.data" -> data', `${MARK}"$.items[?(@.x.match(/(a+)+$/))].v" -> data`]),
  },
  {
    code: "CF2045",
    severity: "error",
    name: "a filter calling a method off the allow-list",
    source: variant(['"$.data" -> data', `${MARK}"$.items[?(@.x.includes('a'))].v" -> data`]),
  },
  {
    code: "CF2045",
    severity: "error",
    name: "a filter reading @root",
    source: variant(['"$.data" -> data', `${MARK}"$.items[?(@.id == @root.id)]" -> data`]),
  },
  {
    code: "CF2045",
    severity: "error",
    name: "two recursive descents",
    source: variant(['"$.data" -> data', `${MARK}"$..a..b" -> data`]),
  },
  {
    code: "CF2045",
    severity: "error",
    name: "a union naming a member twice",
    source: variant(['"$.data" -> data', `${MARK}"$.a['x','x']" -> data`]),
  },
  {
    code: "CF2035",
    severity: "error",
    name: "a loop with no way out",
    source: variant(
      ["  end done\n", `  end done\n  set ${MARK}loop_a { next -> loop_b }\n  set loop_b { next -> loop_a }\n`],
      ["    next -> done\n  }\n\n  route", "    next -> loop_a\n  }\n\n  route"],
    ),
    // done is now reached from nowhere.
    also: ["CF2020"],
  },
  {
    code: "CF2036",
    severity: "warning",
    name: "a loop with a way out but nothing that changes between rounds",
    source: variant(["condition check", `condition ${MARK}check`], ["else -> agents", "else -> check"]),
  },
  {
    code: "CF2037",
    severity: "error",
    name: "a masked value copied into an unmasked variable",
    source: variant(
      ["  local data: json\n", "  local data: json\n  local pin: string masked\n"],
      ["    ok = false\n", `    ok = false\n    name = "PIN {{${MARK}pin}}"\n`],
    ),
  },
  {
    code: "CF2038",
    severity: "error",
    name: "a name every JavaScript object has",
    source: variant(["  secret TOKEN\n", `  secret TOKEN\n  local ${MARK}__proto__: string = ""\n`]),
    also: ["CF2019"],
  },
  {
    code: "CF2039",
    severity: "error",
    name: "a status exit on a number that is no HTTP status",
    source: variant(["    success -> check\n", `    on ${MARK}600 -> agents\n    success -> check\n`]),
  },
  {
    code: "CF2040",
    severity: "error",
    name: "a status exit on a class that does not exist",
    source: variant(["    success -> check\n", `    on ${MARK}6xx -> agents\n    success -> check\n`]),
  },
  {
    code: "CF2041",
    severity: "error",
    name: "a status routed by two status exits",
    source: variant([
      "    success -> check\n",
      `    on 404 -> agents\n    on 410, ${MARK}404 -> done\n    success -> check\n`,
    ]),
  },
  {
    code: "CF2042",
    severity: "error",
    name: "a status exit on a success status",
    source: variant(["    success -> check\n", `    on 404, ${MARK}2xx -> agents\n    success -> check\n`]),
  },
  {
    code: "CF2043",
    severity: "error",
    name: "a literal that does not have the form of its checked string type",
    source: variant(["  secret TOKEN\n", `  secret TOKEN\n  global site: url = ${MARK}"example.com"\n`]),
    also: ["CF2019"],
  },
  {
    code: "CF2044",
    severity: "error",
    name: "the length of a variable that is not an array",
    source: variant(["when ok == true and count > 0", `when ok == true and ${MARK}name.length > 0`]),
  },
  {
    code: "CF2060",
    severity: "error",
    name: "a config with a default",
    source: variant(
      ['    url "https://api.example.com/items/{{name}}"\n', '    url "{{api}}/items/{{name}}"\n'],
      ["  secret TOKEN\n", `  secret TOKEN\n  config api: url = ${MARK}"https://api.example.com"\n`],
    ),
  },
  {
    code: "CF2061",
    severity: "error",
    name: "a config assigned by a result",
    source: variant(
      ['    url "https://api.example.com/items/{{name}}"\n', '    url "{{api}}/items/{{name}}"\n'],
      ["  secret TOKEN\n", "  secret TOKEN\n  config api: url\n"],
      ['      "$.data" -> data\n', `      "$.data" -> data\n      "$.next" -> ${MARK}api\n`],
    ),
  },
  {
    code: "CF2062",
    severity: "error",
    name: "a request carrying a secret to a host a global decides",
    source: variant([
      '    url "https://api.example.com/items/{{name}}"\n',
      `    url "${MARK}{{caller}}/items/{{name}}"\n`,
    ]),
  },
  {
    code: "CF2063",
    severity: "warning",
    name: "a request to a host a local decides",
    source: variant(
      ['    url "https://api.example.com/items/{{name}}"\n', `    url "https://${MARK}{{name}}.example.com/items"\n`],
      ['    authorization "Bearer {{secret.TOKEN}}"\n', ""],
      ["  secret TOKEN\n", ""],
    ),
  },
];
