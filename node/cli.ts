import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { Command, InvalidArgumentError } from "commander";
import { ConfigError, loadConfig, type ConfigFlags } from "./config.ts";
import { openDatabase } from "./db/orm.ts";
import { SecretKeyError } from "./db/secret-box.ts";
import { createToken, isRole, revokeTokens, type Role } from "./auth/tokens.ts";
import { checkCredentials, upsertUser } from "./auth/passwords.ts";
import { createKeyStore } from "./signing/keys.ts";
import { rotateActorKeys } from "./federation/actor-keys.ts";
import { registerPeerCommands } from "./cli-peer.ts";
import { runDemo } from "./demo.ts";

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

async function withDatabase<T>(data: string | undefined, fn: (orm: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const config = loadConfig({ data });
  const orm = await openDatabase({ dataDir: config.dataDir, secretKey: config.secretKey });
  try {
    return await fn(orm);
  } finally {
    await orm.close();
  }
}

/** What `GET /api/search` answers (the part the CLI prints). */
interface SearchAnswer {
  total: number;
  results: { id: string; type: string; title: string; city: string; origin: string; local: boolean; verified: boolean; snippet?: string }[];
}

/** Builds the `wego` command line. */
export function createProgram(): Command {
  const program = new Command("wego")
    .description("WeGO Exchange city node: publish, sign, federate and search e-government knowledge")
    .showHelpAfterError()
    .exitOverride();

  program
    .command("serve")
    .description("run the city node (seeds the library on first start)")
    .option("--port <n>", "port to listen on (default 8080, env WEGO_PORT)")
    .option("--host <address>", "address to bind (default all interfaces)")
    .option("--origin <url>", "public origin of the node (default http://localhost:<port>)")
    .option("--data <dir>", "data folder (default ./data)")
    .option("--city <slug>", "city handle (default seoul)")
    .option("--name <name>", "city display name")
    .option("--country <code>", "ISO 3166-1 alpha-2 country (default KR)")
    .option("--no-seed", "do not load the city's seed library")
    .option("--allow-private-address [ranges]", "let federation reach loopback/private addresses, or only the given CIDRs (tests and demos only)")
    .option("--auto-approve", "accept follow requests without an admin's approval")
    .option("--allow-hosts <hosts>", "comma-separated hosts that may peer (allowlist mode)")
    .option("--trust-proxy", "behind one reverse proxy: take the client address from its X-Forwarded-For (env WEGO_TRUST_PROXY)")
    .option("--log-level <level>", "debug, info, warn or error")
    .action(async (flags: ConfigFlags) => {
      // Loaded on demand: the whole node (Fedify, search, workers) is only needed to serve.
      const { startNode } = await import("./main.ts");
      const node = await startNode(loadConfig(flags));
      const stop = async () => {
        await node.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await new Promise(() => {});
    });

  const token = program.command("token").description("bearer tokens for the API");
  token
    .command("create")
    .description("create a token and print it (last line); only its hash is stored")
    .option("--data <dir>", "data folder (default ./data)")
    .requiredOption("--role <role>", "admin or editor", parseRole)
    .option("--name <label>", "label shown in version history", "")
    .action(async (opts: { data?: string; role: Role; name: string }) => {
      const name = opts.name || `${opts.role}-${new Date().toISOString().slice(0, 10)}`;
      const secret = await withDatabase(opts.data, (orm) => createToken(orm, opts.role, name));
      process.stderr.write(`Created ${opts.role} token "${name}". Keep it secret; it is shown only once:\n`);
      process.stdout.write(`${secret}\n`);
    });
  token
    .command("revoke")
    .description("revoke every token with this label")
    .option("--data <dir>", "data folder (default ./data)")
    .requiredOption("--name <label>", "label of the tokens to revoke")
    .action(async (opts: { data?: string; name: string }) => {
      const n = await withDatabase(opts.data, (orm) => revokeTokens(orm, opts.name));
      process.stdout.write(`revoked ${n} token(s)\n`);
    });

  program
    .command("user")
    .description("web logins")
    .command("add")
    .description("add a web login (or reset its password); the password is read from stdin or asked for")
    .argument("<username>")
    .option("--data <dir>", "data folder (default ./data)")
    .requiredOption("--role <role>", "admin or editor", parseRole)
    .action(async (username: string, opts: { data?: string; role: Role }) => {
      const password = await readPassword();
      const problems = checkCredentials(username, password);
      if (problems.length) throw new InvalidArgumentError(problems.join("; "));
      const what = await withDatabase(opts.data, (orm) => upsertUser(orm, username, password, opts.role));
      process.stdout.write(`${what} ${opts.role} ${username}\n`);
    });

  const keys = program.command("keys").description("document-signing keys and the city actor's HTTP-signature keys");
  keys
    .command("rotate")
    .description("make a new document-signing key (old keys stay published so old signatures still verify); --http: new HTTP-signature keys for the city actor")
    .option("--http", "rotate the city actor's HTTP-signature keys (RSA and Ed25519) instead; the old ones are retired")
    .option("--data <dir>", "data folder (default ./data)")
    .action(async (opts: { data?: string; http?: boolean }) => {
      if (opts.http) {
        const rotation = await withDatabase(opts.data, (orm) => rotateActorKeys(orm));
        for (const kid of rotation.created) process.stdout.write(`new HTTP-signature key ${kid}\n`);
        for (const kid of rotation.retired) process.stdout.write(`retired ${kid}\n`);
        process.stdout.write("restart the node to apply: it then sends an Update of its actor to its followers\n");
        return;
      }
      const jwk = await withDatabase(opts.data, (orm) => createKeyStore({ orm }).rotate());
      process.stdout.write(`new signing key ${jwk.kid}\n`);
    });
  keys
    .command("list")
    .description("list published keys, current first")
    .option("--data <dir>", "data folder (default ./data)")
    .action(async (opts: { data?: string }) => {
      const list = await withDatabase(opts.data, (orm) => createKeyStore({ orm }).publicKeys());
      list.forEach((k, i) => process.stdout.write(`${k.kid}${i === 0 ? "  (current)" : ""}\n`));
    });

  program
    .command("search")
    .description("search a running node's library: its own items and its peers' verified ones")
    .argument("<query>", 'lunr syntax: words, +required, -excluded, title:word, prefix*; "" browses newest first')
    .option("--url <url>", "the node to ask", "http://localhost:8080")
    .option("--type <type>", "CaseStudy, Pathway or Dataset")
    .option("--city <city>", "only items of this city")
    .option("--tag <tag>", "only items with this tag or theme")
    .option("--lang <tag>", "only items written or translated in this language, e.g. ko")
    .option("--limit <n>", "how many results (default 20, at most 100)")
    .option("--json", "print the API's JSON answer")
    .action(async (query: string, opts: { url: string; type?: string; city?: string; tag?: string; lang?: string; limit?: string; json?: boolean }) => {
      const url = new URL("/api/search", opts.url);
      url.searchParams.set("q", query);
      for (const key of ["type", "city", "tag", "lang", "limit"] as const) if (opts[key] !== undefined) url.searchParams.set(key, opts[key]);
      let res: Response;
      try {
        res = await fetch(url);
      } catch (error) {
        process.stderr.write(`wego: cannot reach ${url.origin} (${String((error as Error).cause ?? (error as Error).message)}); is the node running?\n`);
        process.exitCode = 1;
        return;
      }
      const body = (await res.json().catch(() => null)) as SearchAnswer | { error?: string; details?: { message: string }[] } | null;
      if (!res.ok || !body || !("results" in body)) {
        const err = body && "error" in body ? body : undefined;
        const why = [err?.error ?? `HTTP ${res.status}`, ...(err?.details ?? []).map((d) => d.message)].join(": ");
        process.stderr.write(`wego: ${why}\n`);
        process.exitCode = 1;
        return;
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(body)}\n`);
        return;
      }
      process.stdout.write(`${body.total} result${body.total === 1 ? "" : "s"}\n`);
      body.results.forEach((r, i) => {
        const where = r.local ? "local" : `from ${new URL(r.origin).host}${r.verified ? ", verified" : ""}`;
        process.stdout.write(`\n${i + 1}. ${r.title}\n   ${r.type} · ${r.city} · ${where}\n   ${r.id}\n`);
        // Snippets are HTML: show <mark> as *word* and undo the escaping.
        const text = (r.snippet ?? "").replace(/<\/?mark>/g, "*").replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
        if (text) process.stdout.write(`   ${text}\n`);
      });
    });

  registerPeerCommands(program);

  program
    .command("demo")
    .description("start three peered city nodes on loopback (Seoul, and illustrative Busan and Ulaanbaatar) until Ctrl-C")
    .option("--data <dir>", "base folder for the three data folders (default: a temporary folder, removed on exit)")
    .option("--base-port <n>", "port of the first city; the others take the next two", "8081")
    .option("--no-wait", "print the URLs as soon as the nodes serve, before peering finishes")
    .option("--json", "print the nodes (city, url, actor, token) as one JSON line")
    .option("--timeout <seconds>", "how long to wait for the network to be peered and synced", "120")
    .option("--verbose", "echo the nodes' logs on stderr")
    .action(async (opts: { data?: string; basePort: string; wait: boolean; json?: boolean; timeout: string; verbose?: boolean }) => {
      const basePort = Number(opts.basePort);
      const timeoutSeconds = Number(opts.timeout);
      if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65533) throw new InvalidArgumentError(`--base-port must be a port number, got ${opts.basePort}`);
      if (!(timeoutSeconds > 0)) throw new InvalidArgumentError(`--timeout must be a number of seconds, got ${opts.timeout}`);
      process.exitCode = await runDemo({ data: opts.data, basePort, noWait: !opts.wait, json: opts.json, timeoutSeconds, verbose: opts.verbose });
    });

  program
    .command("verify")
    .description("fetch an item from any node and check its signature and origin")
    .argument("<url>", "the item's id URL, or a node's /api/items?id=… URL")
    .option("--allow-private-address [ranges]", "allow loopback/private addresses, or only the given CIDRs (tests and demos only)")
    .option("--json", "print the result as JSON")
    .action(async (url: string, opts: { allowPrivateAddress?: boolean | string; json?: boolean }) => {
      const [{ verifyRemoteItem }, { createDocumentValidator }, { createOutbound }, { addressPolicyOf, loadConfig }] = await Promise.all([
        import("./signing/verify.ts"),
        import("./library/validation.ts"),
        import("./net/outbound.ts"),
        import("./config.ts"),
      ]);
      const outbound = createOutbound({ policy: addressPolicyOf(loadConfig({ allowPrivateAddress: opts.allowPrivateAddress ?? false })) });
      const validator = createDocumentValidator();
      const result = await verifyRemoteItem(url, { checkDocument: (d) => validator.validate(d), outbound });
      await outbound.close();
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.ok) process.stdout.write(`valid: ${result.type} ${result.id} version ${result.version}, signed by ${result.origin} with key ${result.kid}\n`);
      else process.stdout.write(`INVALID: ${result.reason}\n`);
      if (!result.ok) process.exitCode = 1;
    });

  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    const err = error as { code?: string; exitCode?: number; message?: string };
    // Our own usage errors, thrown by actions (commander prints the ones it raises itself).
    if (error instanceof ConfigError || error instanceof InvalidArgumentError || error instanceof TypeError) {
      process.stderr.write(`wego: ${err.message}\n`);
      return 2;
    }
    if (error instanceof SecretKeyError) {
      process.stderr.write(`wego: ${err.message}\n`);
      return 1;
    }
    if (err.code?.startsWith("commander.")) return err.exitCode ?? 1;
    process.stderr.write(`wego: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
