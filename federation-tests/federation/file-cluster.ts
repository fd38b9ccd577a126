import { afterAll, beforeAll } from "vitest";
import { createCluster, type CityNode, type Cluster } from "./cluster.ts";

/** Options of {@link fileCluster}: `T` names the cities, in the order `started` receives them. */
export interface FileClusterOptions<T extends readonly string[]> {
  /** The cities started (at once) before the file's tests. */
  readonly cities: T;
  /** Runs once they are up, with their nodes in the order of `cities` (keep them, peer them, start rogue peers…). */
  readonly started: (nodes: { -readonly [K in keyof T]: CityNode }, cluster: Cluster) => Promise<void> | void;
  /** How long starting and `started` may take, in ms (default 120 s). */
  readonly timeout?: number;
  /** Runs after the file's tests, before the cluster stops (e.g. closing a rogue peer). */
  readonly stopping?: () => Promise<void>;
}

/**
 * The cluster of one test file: its `beforeAll` starts the cities and runs `started`; its
 * `afterAll` runs `stopping` and stops every node. The cluster it returns is the one the
 * hooks make, for tests that start or restart nodes themselves.
 */
export function fileCluster<const T extends readonly string[]>(options: FileClusterOptions<T>): Cluster {
  let cluster: Cluster | undefined;
  const current = (): Cluster => {
    if (!cluster) throw new Error("the file's cluster starts in its beforeAll");
    return cluster;
  };
  beforeAll(async () => {
    cluster = createCluster();
    const started = cluster;
    const nodes = await Promise.all(options.cities.map((city) => started.start(city)));
    await options.started(nodes as { -readonly [K in keyof T]: CityNode }, started);
  }, options.timeout ?? 120_000);
  afterAll(async () => {
    await options.stopping?.();
    await cluster?.stop();
  });
  return {
    start: (city, startOptions) => current().start(city, startOptions),
    restart: (node, how, moreArgs) => current().restart(node, how, moreArgs),
    stop: () => current().stop(),
  };
}
