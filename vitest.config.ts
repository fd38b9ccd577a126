import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "node/**/*.test.ts",
      "schemas/**/*.test.ts",
      "seeds/**/*.test.ts",
      "web/**/*.test.ts",
      "federation-tests/**/*.test.ts",
    ],
    // One throwaway PostgreSQL cluster per run, for the stores' PostgreSQL variants.
    globalSetup: ["node/db/pg-global-setup.ts"],
    expect: { requireAssertions: true },
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
