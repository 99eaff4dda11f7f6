// What a command needs from the process, passed in so commands stay testable and never exit on their own.
export interface CommandIO {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Colors on stdout: a terminal, unless NO_COLOR is set; FORCE_COLOR turns them on anywhere. */
  readonly color: boolean;
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export const EXIT_OK = 0;
/** Errors in the input (diagnostics, a failed run, a stale file). */
export const EXIT_FAILURE = 1;
/** Wrong usage (unknown option, missing file, bad argument) and every other failure. */
export const EXIT_USAGE = 2;
