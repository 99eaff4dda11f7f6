// What the language server knows of callflow.json: a config's value per environment (hover), and a
// config an environment lacks (a diagnostic at the declaration, related to the environment in the file).
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Location } from "vscode-languageserver";
import type { Flow, VarDecl } from "../grammar/ast.js";
import { diagnostic, type Diagnostic } from "../grammar/diagnostics.js";
import type { Span } from "../grammar/spans.js";
import { configsOf, storedConfig } from "../project/environments.js";
import { readProject, type Project } from "../project/project-file.js";
import { findProjectFile } from "../project/root.js";
import type { VarType } from "../runtime/contract.js";

/** The project callflow.json of a flow file (by walking up from its folder), or undefined when there is none or it is unreadable. */
export function projectFor(flowFile: string): Project | undefined {
  if (!path.isAbsolute(flowFile)) return undefined;
  const file = findProjectFile(path.dirname(flowFile));
  if (file === undefined) return undefined;
  try {
    // Spans name the file by its absolute path, so related locations can point into it.
    return readProject(readFileSync(file, "utf8"), file, path.dirname(file)).project;
  } catch {
    return undefined;
  }
}

/** Each config of the flow that an environment lacks or gives a value of the wrong type. */
export function environmentDiagnostics(flow: Flow | undefined, project: Project | undefined): Diagnostic[] {
  if (flow === undefined || project === undefined) return [];
  const found: Diagnostic[] = [];
  for (const decl of configsOf(flow)) {
    for (const env of project.environments.values()) {
      const given = env.config.get(decl.name.name);
      if (given !== undefined && storedConfig(given.value, decl.type.name as VarType) !== undefined) continue;
      const related = [{ span: given?.span ?? env.configSpan, message: `environment ${env.name} in callflow.json` }];
      found.push(
        given === undefined
          ? diagnostic(
              "missingConfig",
              decl.name.span,
              [env.name, decl.name.name, flow.id.name],
              `add "${decl.name.name}" to environments.${env.name}.config in callflow.json`,
              related,
            )
          : diagnostic(
              "configValueMismatch",
              decl.name.span,
              [decl.name.name, env.name, `a ${decl.type.name}`, "another value"],
              undefined,
              related,
            ),
      );
    }
  }
  return found;
}

/** Hover lines: the config's value in each environment (masked ones as ••••). */
export function configValues(decl: VarDecl, project: Project | undefined): string | undefined {
  if (project === undefined || project.environments.size === 0) return undefined;
  const rows = [...project.environments.values()].map((env) => {
    const given = env.config.get(decl.name.name);
    const shown = given === undefined ? "(missing)" : decl.masked ? "••••" : `\`${JSON.stringify(given.value)}\``;
    return `- \`${env.name}\`: ${shown}`;
  });
  return ["Per environment (callflow.json):", ...rows].join("\n");
}

/** A span in callflow.json as an LSP location (lines and columns are 1-based in spans). */
export function projectLocation(span: Span): Location | undefined {
  if (!path.isAbsolute(span.file) || !span.file.endsWith("callflow.json")) return undefined;
  const start = { line: span.line - 1, character: span.column - 1 };
  return {
    uri: pathToFileURL(span.file).href,
    range: { start, end: { line: start.line, character: start.character + span.length } },
  };
}
