// What executing one widget yields to the run loop: the exit taken, or a reason to stop.
// Its fields are the ones the step's `step.end` event reports.
import type { RunError, StepEndEvent } from "./trace.js";

export type StepOutcome<W extends string> = Pick<
  StepEndEvent<W>,
  | "exit"
  | "next"
  | "condition"
  | "changes"
  | "unmatched"
  | "errorResults"
  | "attempts"
  | "status"
  | "message"
  | "queue"
  | "error"
> & {
  /** The run ends at this step with this failure (cancelled, a step without a fail exit). */
  readonly stop?: RunError;
};
