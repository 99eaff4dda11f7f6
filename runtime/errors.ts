// The only errors `run` throws: programmer errors, found before any step runs. Everything a
// network, a server or the data can do wrong is an outcome instead.

/** The flow object is not a valid compiled flow (unknown start or exit target, unknown kind...). */
export class FlowDefinitionError extends Error {
  override readonly name = "FlowDefinitionError";
  constructor(
    readonly flow: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid flow ${flow}: ${problems.join("; ")}`);
  }
}

/** The input globals do not match the flow's declarations. Messages name variables and types, never values. */
export class FlowInputError extends Error {
  override readonly name = "FlowInputError";
  constructor(
    readonly flow: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid input for flow ${flow}: ${problems.join("; ")}`);
  }
}

/** The config values (`RunOptions.config`) do not match the flow's `config` declarations. Names and types only, never values. */
export class FlowConfigError extends Error {
  override readonly name = "FlowConfigError";
  constructor(
    readonly flow: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid config for flow ${flow}: ${problems.join("; ")}`);
  }
}
