import { Command, CommanderError, InvalidArgumentError } from "commander";
import { ConfigError } from "../config.ts";
import { SecretKeyError } from "../db/secret-box.ts";
import { registerTokenCommands, registerUserCommands } from "./accounts.ts";
import { ApiError } from "./api-client.ts";
import { endQuietlyWhenOutputCloses } from "./closed-output.ts";
import { registerDbCommands } from "./db.ts";
import { registerDemoCommand } from "./demo.ts";
import { registerKeysCommands } from "./keys.ts";
import { registerPeerCommands } from "./peer.ts";
import { registerSearchCommand } from "./search.ts";
import { registerServeCommand } from "./serve.ts";
import { registerVerifyCommand } from "./verify.ts";
import { registerVerifyBundleCommand } from "./verify-bundle.ts";

// The `wego` command line (bin/wego.js loads this module): one file per command group in
// this folder; this one builds the program and turns what a command throws into an exit code.

/** Exit code of bad usage: an unknown option, a missing argument, a bad flag value. */
const USAGE = 2;
/** Exit code of a failure: the node refused or cannot be reached, a check failed, or a bug of ours. */
const FAILURE = 1;

/** Builds the `wego` command line. */
export function createProgram(): Command {
  const program = new Command("wego")
    .description("WeGO Exchange city node: publish, sign, federate and search e-government knowledge")
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  registerTokenCommands(program);
  registerUserCommands(program);
  registerKeysCommands(program);
  registerDbCommands(program);
  registerSearchCommand(program);
  registerPeerCommands(program);
  registerDemoCommand(program);
  registerVerifyCommand(program);
  registerVerifyBundleCommand(program);
  return program;
}

/** Prints what a command threw (commander has printed its own errors already) and gives the exit code. */
export function exitCodeOf(error: unknown): number {
  // Thrown by our actions for bad usage (commander wraps the ones its argument parsers raise).
  if (error instanceof ConfigError || error instanceof InvalidArgumentError) {
    process.stderr.write(`wego: ${error.message}\n`);
    return USAGE;
  }
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE;
  // Expected failures: their message says it all.
  if (error instanceof ApiError || error instanceof SecretKeyError) {
    process.stderr.write(`wego: ${error.message}\n`);
    return FAILURE;
  }
  // Anything else (a TypeError, say) is a bug: show where it happened.
  process.stderr.write(`wego: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
  return FAILURE;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  endQuietlyWhenOutputCloses();
  const program = createProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    return exitCodeOf(error);
  }
}
