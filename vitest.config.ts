import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// The OpenTelemetry tests register process-wide providers, so each of their files gets fresh modules.
const ISOLATED = ["test/*telemetry*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One worker fewer than the CPUs (vitest's default), at least one: a second worker on 2 CPUs saves wall time
    // but starves the tests that time real servers and child processes (bench/README.md, "Test suite").
    maxWorkers: Math.max(1, availableParallelism() - 1),
    projects: [
      { extends: true, test: { name: "isolated", include: ISOLATED } },
      // Reusing a worker's modules across files saves loading vitest, the sources and their dependencies per file.
      { extends: true, test: { name: "shared", include: ["test/**/*.test.ts"], exclude: ISOLATED, isolate: false } },
    ],
  },
});
