import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { InvalidArgumentError, type Command } from "commander";
import { checkCredentials } from "../auth/passwords.ts";
import { isRole, type Role } from "../auth/tokens.ts";
import { upsertUser } from "../db/accounts.ts";
import { createToken, revokeTokens } from "../db/token-store.ts";
import { withDatabase } from "./database.ts";

// `wego token …` and `wego user add`: who may write to the node (API tokens, web logins).

function parseRole(value: string): Role {
  if (!isRole(value)) throw new InvalidArgumentError("role must be admin or editor");
  return value;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Asks for a line without echoing it (a password at a terminal). */
function askHidden(prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) process.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(prompt, (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolve(answer);
    });
    muted = true;
  });
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return (await readStdin()).split(/\r?\n/)[0] ?? "";
  const first = await askHidden("Password: ");
  const second = await askHidden("Repeat password: ");
  if (first !== second) throw new InvalidArgumentError("the passwords differ");
  return first;
}

/** Adds `wego token create|revoke` to the program. */
export function registerTokenCommands(program: Command): void {
  const token = program.command("token").description("bearer tokens for the API");
  token
    .command("create")
    .description("create a token and print it (last line); only its hash is stored")
    .option("--data <dir>", "data folder (default ./data)")
    .option("--database <url>", "postgres:// URL of the store (env WEGO_DATABASE_URL; default SQLite in --data)")
    .requiredOption("--role <role>", "admin or editor", parseRole)
    .option("--name <label>", "label shown in version history", "")
    .action(async (opts: { data?: string; database?: string; role: Role; name: string }) => {
      const name = opts.name || `${opts.role}-${new Date().toISOString().slice(0, 10)}`;
      const secret = await withDatabase(opts, (orm) => createToken(orm, opts.role, name));
      process.stderr.write(`Created ${opts.role} token "${name}". Keep it secret; it is shown only once:\n`);
      process.stdout.write(`${secret}\n`);
    });
  token
    .command("revoke")
    .description("revoke every token with this label")
    .option("--data <dir>", "data folder (default ./data)")
    .option("--database <url>", "postgres:// URL of the store (env WEGO_DATABASE_URL; default SQLite in --data)")
    .requiredOption("--name <label>", "label of the tokens to revoke")
    .action(async (opts: { data?: string; database?: string; name: string }) => {
      const n = await withDatabase(opts, (orm) => revokeTokens(orm, opts.name));
      process.stdout.write(`revoked ${n} token(s)\n`);
    });
}

/** Adds `wego user add` to the program. */
export function registerUserCommands(program: Command): void {
  program
    .command("user")
    .description("web logins")
    .command("add")
    .description("add a web login (or reset its password); the password is read from stdin or asked for")
    .argument("<username>")
    .option("--data <dir>", "data folder (default ./data)")
    .option("--database <url>", "postgres:// URL of the store (env WEGO_DATABASE_URL; default SQLite in --data)")
    .requiredOption("--role <role>", "admin or editor", parseRole)
    .action(async (username: string, opts: { data?: string; database?: string; role: Role }) => {
      const password = await readPassword();
      const problems = checkCredentials(username, password);
      if (problems.length) throw new InvalidArgumentError(problems.join("; "));
      const what = await withDatabase(opts, (orm) => upsertUser(orm, username, password, opts.role));
      process.stdout.write(`${what} ${opts.role} ${username}\n`);
    });
}
