import { pgUnavailableReason, startPgCluster } from "./pg-cluster.ts";

/** The variable tests read the PostgreSQL URL from (node/db/test-databases.ts). */
export const TEST_DATABASE_URL_VAR = "WEGO_TEST_DATABASE_URL";

/**
 * vitest globalSetup: starts one throwaway PostgreSQL cluster for the run and hands its URL
 * to the test workers in WEGO_TEST_DATABASE_URL (each test then makes a database of its
 * own on it); stops it at the end. A URL already set is used as it is (no cluster started).
 * Without PostgreSQL the PostgreSQL variants are skipped with the reason printed, except in
 * CI (CI=true), where that is a failure.
 */
export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env[TEST_DATABASE_URL_VAR]) return undefined;
  const reason = pgUnavailableReason();
  if (reason) {
    if (process.env.CI === "true") throw new Error(`CI needs PostgreSQL for the database tests: ${reason}`);
    console.warn(`PostgreSQL tests skipped: ${reason}`);
    return undefined;
  }
  const cluster = await startPgCluster();
  process.env[TEST_DATABASE_URL_VAR] = cluster.url;
  return () => cluster.stop();
}
