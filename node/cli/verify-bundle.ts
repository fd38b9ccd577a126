import type { Command } from "commander";

interface VerifyBundleFlags {
  readonly keys?: string;
  readonly saveKeys?: string;
  readonly allowPrivateAddress?: boolean | string;
  readonly json?: boolean;
}

/**
 * Adds `wego verify-bundle FILE` to the program: checks every line of a signed bundle
 * (`/api/export`) against its origin's keys, fetched once per origin or read from a folder.
 */
export function registerVerifyBundleCommand(program: Command): void {
  program
    .command("verify-bundle")
    .description("check every item of a signed bundle (from /api/export) against its origin city's keys")
    .argument("<file>", "the NDJSON bundle, one {document, jws} a line")
    .option("--keys <dir>", "read each origin's JWKS from DIR/<host>.json (port as _port) instead of fetching it")
    .option("--save-keys <dir>", "write the keys fetched for this run to DIR, to verify the bundle offline later")
    .option(
      "--allow-private-address [ranges]",
      "allow loopback/private addresses, or only the given CIDRs (tests and demos only)",
    )
    .option("--json", "print the report as JSON")
    .action(async (file: string, flags: VerifyBundleFlags) => {
      const [{ createReadStream }, { mkdir, readFile, writeFile }, { join }, { createInterface }] = await Promise.all([
        import("node:fs"),
        import("node:fs/promises"),
        import("node:path"),
        import("node:readline"),
      ]);
      const [{ verifyBundle, keysFileName, oncePerOrigin }, { fetchJwks }, { createDocumentValidator }] =
        await Promise.all([
          import("../signing/bundle.ts"),
          import("../signing/verify.ts"),
          import("../library/validation.ts"),
        ]);
      const [{ createOutbound }, { addressPolicyOf, loadConfig }] = await Promise.all([
        import("../net/outbound.ts"),
        import("../config.ts"),
      ]);
      const outbound = flags.keys
        ? null
        : createOutbound({
            policy: addressPolicyOf(loadConfig({ allowPrivateAddress: flags.allowPrivateAddress ?? false })),
          });
      const keysDir = flags.keys;
      const loadKeys = oncePerOrigin(async (origin) => {
        if (!keysDir) return fetchJwks(origin, { outbound: outbound! });
        const path = join(keysDir, keysFileName(origin));
        const text = await readFile(path, "utf8").catch(() => null);
        if (text === null) return { ok: false, reason: `no keys for ${origin} in ${keysDir} (expected ${path})` };
        try {
          const keys = (JSON.parse(text) as { keys?: unknown }).keys;
          if (!Array.isArray(keys)) return { ok: false, reason: `${path} is not a JWKS ({"keys": […]})` };
          return { ok: true, keys };
        } catch {
          return { ok: false, reason: `${path} is not JSON` };
        }
      });
      const validator = createDocumentValidator();
      const input = createReadStream(file, { encoding: "utf8" });
      const opened = await new Promise<boolean>((resolve) => {
        input.once("open", () => resolve(true));
        input.once("error", (error) => {
          process.stderr.write(`cannot read ${file}: ${error.message}\n`);
          resolve(false);
        });
      });
      if (!opened) {
        process.exitCode = 2;
        await outbound?.close();
        return;
      }
      const report = await verifyBundle(createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }), {
        loadKeys,
        checkDocument: (d) => validator.validate(d),
      });
      await outbound?.close();
      if (flags.saveKeys) {
        await mkdir(flags.saveKeys, { recursive: true });
        for (const [origin, keys] of loadKeys.loaded)
          await writeFile(join(flags.saveKeys, keysFileName(origin)), `${JSON.stringify({ keys }, null, 2)}\n`);
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        const from = Object.entries(report.origins)
          .map(([origin, n]) => `${n} from ${origin}`)
          .join(", ");
        process.stdout.write(
          `${report.valid} of ${report.checked} items verified${from ? ` (${from})` : ""}; ${report.failures.length} failed\n`,
        );
        for (const f of report.failures)
          process.stdout.write(`line ${f.line}${f.id ? ` (${f.id})` : ""}: INVALID: ${f.reason}\n`);
      }
      if (report.failures.length > 0 || report.checked === 0) process.exitCode = 1;
    });
}
