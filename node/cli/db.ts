import type { Command } from "commander";
import { withDatabase } from "./database.ts";
import { registerDbCopyCommand } from "./db-copy.ts";

/** Adds `wego db migrate` and `wego db copy` to the program. */
export function registerDbCommands(program: Command): void {
  const db = program.command("db").description("the node's store: SQLite in --data, or PostgreSQL with --database");
  db.command("migrate")
    .description("apply pending migrations and exit (wego serve also applies them at start)")
    .option("--data <dir>", "data folder, for its secret key (default ./data)")
    .option("--database <url>", "postgres:// URL of the store (env WEGO_DATABASE_URL; default SQLite in --data)")
    .action(async (opts: { data?: string; database?: string }) => {
      // Opening the store applies what is pending, in one transaction, and checks the sealed keys.
      const applied = await withDatabase(opts, async (orm) => (await orm.getMigrator().getExecutedMigrations()).length);
      process.stdout.write(`the store is up to date: ${applied} migrations applied\n`);
    });
  registerDbCopyCommand(db);
}
