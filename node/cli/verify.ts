import type { Command } from "commander";

/** Adds `wego verify URL` (fetch an item from any node, check its signature and origin) to the program. */
export function registerVerifyCommand(program: Command): void {
  program
    .command("verify")
    .description("fetch an item from any node and check its signature and origin")
    .argument("<url>", "the item's id URL, or a node's /api/items?id=… URL")
    .option(
      "--allow-private-address [ranges]",
      "allow loopback/private addresses, or only the given CIDRs (tests and demos only)",
    )
    .option("--json", "print the result as JSON")
    .action(async (url: string, opts: { allowPrivateAddress?: boolean | string; json?: boolean }) => {
      const [{ verifyRemoteItem }, { createDocumentValidator }, { createOutbound }, { addressPolicyOf, loadConfig }] =
        await Promise.all([
          import("../signing/verify.ts"),
          import("../library/validation.ts"),
          import("../net/outbound.ts"),
          import("../config.ts"),
        ]);
      const outbound = createOutbound({
        policy: addressPolicyOf(loadConfig({ allowPrivateAddress: opts.allowPrivateAddress ?? false })),
      });
      const validator = createDocumentValidator();
      const result = await verifyRemoteItem(url, { checkDocument: (d) => validator.validate(d), outbound });
      await outbound.close();
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.ok)
        process.stdout.write(
          `valid: ${result.type} ${result.id} version ${result.version}, signed by ${result.origin} with key ${result.kid}\n`,
        );
      else process.stdout.write(`INVALID: ${result.reason}\n`);
      if (!result.ok) process.exitCode = 1;
    });
}
