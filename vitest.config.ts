import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// The OpenTelemetry tests register process-wide providers, so each of their files gets fresh modules.
const ISOLATED = ["test/*telemetry*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Most of a file's time is spent waiting for child processes, servers and Chromium; vitest's default
    // (one worker fewer than the CPUs) would run one file at a time on 2 CPUs.
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      { extends: true, test: { name: "isolated", include: ISOLATED } },
      // Reusing a worker's modules across files saves loading vitest, the sources and their dependencies per file.
      { extends: true, test: { name: "shared", include: ["test/**/*.test.ts"], exclude: ISOLATED, isolate: false } },
    ],
  },
});
