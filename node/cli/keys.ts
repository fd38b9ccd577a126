import type { Command } from "commander";
import { rotateActorKeys } from "../federation/actor-keys.ts";
import { createKeyStore } from "../db/key-store.ts";
import { withDatabase } from "./database.ts";

/** Adds `wego keys rotate|list` to the program. */
export function registerKeysCommands(program: Command): void {
  const keys = program.command("keys").description("document-signing keys and the city actor's HTTP-signature keys");
  keys
    .command("rotate")
    .description(
      "make a new document-signing key (old keys stay published so old signatures still verify); --http: new HTTP-signature keys for the city actor",
    )
    .option("--http", "rotate the city actor's HTTP-signature keys (RSA and Ed25519) instead; the old ones are retired")
    .option("--data <dir>", "data folder (default ./data)")
    .option("--database <url>", "postgres:// URL of the store (env WEGO_DATABASE_URL; default SQLite in --data)")
    .action(async (opts: { data?: string; database?: string; http?: boolean }) => {
      if (opts.http) {
        const rotation = await withDatabase(opts, (orm) => rotateActorKeys(orm));
        for (const kid of rotation.created) process.stdout.write(`new HTTP-signature key ${kid}\n`);
        for (const kid of rotation.retired) process.stdout.write(`retired ${kid}\n`);
        process.stdout.write("restart the node to apply: it then sends an Update of its actor to its followers\n");
        return;
      }
      const jwk = await withDatabase(opts, (orm) => createKeyStore({ orm }).rotate());
      process.stdout.write(`new signing key ${jwk.kid}\n`);
    });
  keys
    .command("list")
    .description("list published keys, current first")
    .option("--data <dir>", "data folder (default ./data)")
    .option("--database <url>", "postgres:// URL of the store (env WEGO_DATABASE_URL; default SQLite in --data)")
    .action(async (opts: { data?: string; database?: string }) => {
      const list = await withDatabase(opts, (orm) => createKeyStore({ orm }).publicKeys());
      list.forEach((k, i) => process.stdout.write(`${k.kid}${i === 0 ? "  (current)" : ""}\n`));
    });
}
