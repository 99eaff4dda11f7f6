// What executing one widget yields to the run loop: the exit taken, or a reason to stop.
import type { ExitName, RunError, UnmatchedResult, VariableChange } from "./trace.js";

export interface StepOutcome<W extends string> {
  readonly exit?: ExitName;
  readonly next?: W;
  readonly condition?: string;
  readonly changes: readonly VariableChange[];
  readonly unmatched?: readonly UnmatchedResult[];
  readonly attempts?: number;
  readonly status?: number;
  readonly message?: string;
  readonly queue?: string;
  /** Why the step failed; with an exit (http Fail) the run goes on. */
  readonly error?: RunError;
  /** The run ends at this step with this failure (cancelled, a step without a fail exit). */
  readonly stop?: RunError;
}
