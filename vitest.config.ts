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
    expect: { requireAssertions: true },
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
