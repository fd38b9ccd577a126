import type { Command } from "commander";
import { loadConfig, type ConfigFlags } from "../config.ts";

/** Adds `wego serve` (run the city node until SIGINT or SIGTERM) to the program. */
export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("run the city node (seeds the library on first start)")
    .option("--port <n>", "port to listen on (default 8080, env WEGO_PORT)")
    .option("--host <address>", "address to bind (default all interfaces)")
    .option("--origin <url>", "public origin of the node (default http://localhost:<port>)")
    .option("--data <dir>", "data folder (default ./data)")
    .option(
      "--database <url>",
      "postgres:// URL to keep the store in (env WEGO_DATABASE_URL; default SQLite in --data)",
    )
    .option("--city <slug>", "city handle (default seoul)")
    .option("--name <name>", "city display name")
    .option("--country <code>", "ISO 3166-1 alpha-2 country (default KR)")
    .option("--website <url>", "the city's own website, on its fediverse profile (env WEGO_WEBSITE)")
    .option("--member-since <year>", "the year the city joined WeGO, on its fediverse profile (env WEGO_MEMBER_SINCE)")
    .option("--no-seed", "do not load the city's seed library")
    .option(
      "--allow-private-address [ranges]",
      "let federation reach loopback/private addresses, or only the given CIDRs (tests and demos only)",
    )
    .option("--auto-approve", "accept follow requests without an admin's approval")
    .option("--allow-hosts <hosts>", "comma-separated hosts that may peer (allowlist mode)")
    .option(
      "--trust-proxy",
      "behind one reverse proxy: take the client address from its X-Forwarded-For (env WEGO_TRUST_PROXY)",
    )
    .option("--log-level <level>", "debug, info, warn or error")
    .action(async (flags: ConfigFlags) => {
      // Loaded on demand: the whole node (Fedify, search, workers) is only needed to serve.
      const { startNode } = await import("../main.ts");
      const node = await startNode(loadConfig(flags));
      const stop = async () => {
        await node.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await new Promise(() => {});
    });
}
