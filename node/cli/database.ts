import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/orm.ts";

/** The database a CLI command opens. */
export type CliDatabase = Awaited<ReturnType<typeof openDatabase>>;

/**
 * Opens the node's database in `data` (default as `wego serve` finds it: `--data`, then
 * `WEGO_DATA`, then `./data`; PostgreSQL when `--database` or `WEGO_DATABASE_URL` names one), runs `fn` and closes it. The node may be serving meanwhile
 * (SQLite WAL with a busy timeout).
 */
export async function withDatabase<T>(
  where: { readonly data?: string; readonly database?: string },
  fn: (orm: CliDatabase) => Promise<T>,
): Promise<T> {
  const config = loadConfig({ data: where.data, database: where.database });
  const orm = await openDatabase({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    secretKey: config.secretKey,
  });
  try {
    return await fn(orm);
  } finally {
    await orm.close();
  }
}
