import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { addressPolicyOf, loadConfig } from "../config.ts";
import { COPIED_TABLES, collationOf, copyRows, countRows, digestTable, uncoveredTables } from "../db/db-copy.ts";
import { openDatabase, type Orm } from "../db/orm.ts";
import { createJwksCache } from "../federation/jwks-cache.ts";
import { auditStoredSignatures, type SignatureAudit } from "../library/signature-audit.ts";
import { createDocumentValidator } from "../library/validation.ts";
import { createOutbound } from "../net/outbound.ts";

/** Options of `wego db copy`. */
interface CopyFlags {
  readonly from: string;
  readonly to: string;
  readonly allowPrivateAddress?: boolean | string;
}

/** The most problems of one kind printed (the count says how many there are). */
const SHOWN = 20;

const say = (line: string) => process.stdout.write(`${line}\n`);
const complain = (line: string) => process.stderr.write(`${line}\n`);

/** Adds `wego db copy --from DIR --to URL` to the `db` command group. */
export function registerDbCopyCommand(db: Command): void {
  db.command("copy")
    .description(
      "copy a stopped node's SQLite store (in --from) into an empty PostgreSQL database, then check the copy: counts, contents and every signature",
    )
    .requiredOption("--from <dir>", "the node's data folder (its wego.sqlite and secret.key)")
    .requiredOption("--to <url>", "postgres:// URL of an empty database (migrated first)")
    .option(
      "--allow-private-address [ranges]",
      "fetch peers' keys from loopback/private addresses too, or only the given CIDRs (tests and demos only)",
    )
    .action(async (opts: CopyFlags) => {
      process.exitCode = await copyStore(opts);
    });
}

/** Runs the copy; answers the exit code (0: copied and checked; 1: refused, or the copy differs). */
async function copyStore(opts: CopyFlags): Promise<number> {
  const config = loadConfig({ data: opts.from, database: opts.to, allowPrivateAddress: opts.allowPrivateAddress });
  const file = join(config.dataDir, "wego.sqlite");
  if (!existsSync(file)) {
    complain(`wego: ${file} does not exist: --from names the data folder of the node to copy`);
    return 1;
  }
  const source = await openDatabase({ dataDir: config.dataDir, secretKey: config.secretKey });
  let target: Orm | null = null;
  try {
    const unknown = await uncoveredTables(source);
    if (unknown.length > 0) {
      complain(`wego: this version of db copy does not know the tables ${unknown.join(", ")}: nothing was copied`);
      return 1;
    }
    target = await openDatabase({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      secretKey: config.secretKey,
    });
    const held = [...(await countRows(target))].filter(([, n]) => n > 0);
    if (held.length > 0) {
      complain(
        `wego: refusing to copy into a database that is not empty: ${held.map(([t, n]) => `${t} (${n} rows)`).join(", ")}. Copy into a new, empty database.`,
      );
      return 1;
    }
    const collation = await collationOf(target);
    if (collation !== null && collation !== "C" && collation !== "POSIX")
      complain(
        `wego: note: the database's collation is ${collation}, not C: lists ordered by text may come in another order than on SQLite (docs/scale-out.md)`,
      );
    say(`copying ${file} into ${config.databaseUrl!.replace(/\/\/[^@/]*@/, "//")}`);
    await copyRows(source, target, { onTable: (table, rows) => say(`  ${table}: ${rows} rows`) });
    return await checkCopy(source, target, config);
  } finally {
    await source.close();
    await target?.close();
  }
}

/** Compares the copy with its source and checks every signature in it; prints what differs. */
async function checkCopy(source: Orm, target: Orm, config: ReturnType<typeof loadConfig>): Promise<number> {
  const problems: string[] = [];
  const [before, after] = [await countRows(source), await countRows(target)];
  for (const table of COPIED_TABLES) {
    const [n, m] = [before.get(table.name), after.get(table.name)];
    if (n !== m) problems.push(`table ${table.name}: ${n} rows in the source, ${m} in the copy`);
    else if ((await digestTable(source, table)) !== (await digestTable(target, table)))
      problems.push(`table ${table.name}: the same number of rows, but their contents differ`);
  }
  const outbound = createOutbound({ policy: addressPolicyOf(config) });
  const validator = createDocumentValidator();
  let audit: SignatureAudit;
  try {
    audit = await auditStoredSignatures(target, {
      checkDocument: (d) => validator.validate(d),
      loadPeerKeys: createJwksCache({ outbound }),
    });
  } finally {
    await outbound.close();
  }
  for (const f of audit.failures.slice(0, SHOWN))
    problems.push(`signature of ${f.itemId} version ${f.version}: ${f.reason}`);
  if (audit.failures.length > SHOWN) problems.push(`… and ${audit.failures.length - SHOWN} more bad signatures`);
  for (const [origin, u] of audit.unchecked)
    complain(
      `wego: note: ${u.versions} versions from ${origin} not checked, its keys could not be fetched: ${u.reason}`,
    );
  const { local, peers } = audit.verified;
  if (problems.length > 0) {
    for (const p of problems) complain(`wego: copy differs: ${p}`);
    complain(
      `wego: the copy is NOT sound (${problems.length} problems; ${local + peers} signatures verified): do not serve from it before the source is fixed`,
    );
    return 1;
  }
  say(
    `checked: ${COPIED_TABLES.length} tables hold the same rows; ${local} of this city's and ${peers} of peers' signatures verify`,
  );
  return 0;
}
