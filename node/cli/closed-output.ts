import type { Writable } from "node:stream";

// `wego search … | head`: the reader closes the pipe early and the next write fails with EPIPE.
// That is the reader saying "enough", not a fault, so the command ends quietly and successfully,
// as Unix tools do when SIGPIPE stops them (Node ignores SIGPIPE and raises EPIPE instead).

/** Streams already guarded: `main()` runs once per process, but many times in tests. */
const guarded = new WeakSet<Writable>();

/** Options of {@link endQuietlyWhenOutputCloses}. */
export interface ClosedOutputOptions {
  /** The stream the command prints to. Default: `process.stdout`. */
  readonly output?: Writable;
  /** Ends the process with a status. Default: `process.exit`. */
  readonly exit?: (code: number) => void;
}

/**
 * Makes a closed output end the process with status 0 and no stack trace. Other errors of the
 * stream are left to Node (they are faults worth seeing).
 */
export function endQuietlyWhenOutputCloses(options: ClosedOutputOptions = {}): void {
  const output = options.output ?? process.stdout;
  if (guarded.has(output)) return;
  guarded.add(output);
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const onError = (error: NodeJS.ErrnoException): void => {
    if (error.code === "EPIPE") {
      exit(0);
      return;
    }
    // Not ours to swallow: rethrow as Node would have without a listener.
    output.off("error", onError);
    guarded.delete(output);
    output.emit("error", error);
  };
  output.on("error", onError);
}
