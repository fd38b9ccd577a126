/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, one `.cpuprofile` per thread): where the
 * time goes by code (package, Node internals, folder of this repository), the functions with
 * the most self time, and this repository's functions with the most total time (self plus
 * what they call).
 *
 *   node --import tsx federation-tests/bench/profile/cpu-profile.ts <file.cpuprofile|folder>… [--top 25]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { add, type CallFrame, frameLabel, isOwnCode, ms, ownerOf, printTop, top } from "./frames.ts";

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** What one profile's samples add up to, in microseconds. */
export interface CpuSummary {
  readonly file: string;
  readonly wallMicros: number;
  readonly busyMicros: number;
  readonly byOwner: Map<string, number>;
  readonly selfByFunction: Map<string, number>;
  readonly totalByOwnFunction: Map<string, number>;
}

export function summariseCpuProfile(file: string): CpuSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const byOwner = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const totalByOwnFunction = new Map<string, number>();
  let busy = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample's time is the interval up to the next one (as DevTools counts it).
    const micros = timeDeltas[i + 1] ?? 0;
    const node = byId.get(samples[i]!)!;
    const frame = node.callFrame;
    if (frame.functionName === "(idle)") continue;
    busy += micros;
    add(byOwner, ownerOf(frame), micros);
    add(selfByFunction, frameLabel(frame), micros);
    // Total time of this repository's functions: each counted once per sample.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!isOwnCode(f)) continue;
      const label = frameLabel(f);
      if (seen.has(label)) continue;
      seen.add(label);
      add(totalByOwnFunction, label, micros);
    }
  }
  return {
    file,
    wallMicros: profile.endTime - profile.startTime,
    busyMicros: busy,
    byOwner,
    selfByFunction,
    totalByOwnFunction,
  };
}

function filesOf(paths: readonly string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith(".cpuprofile"))
          .map((f) => join(p, f))
      : [p],
  );
}

function main(argv: readonly string[]): void {
  const at = argv.indexOf("--top");
  const n = at >= 0 ? Number(argv[at + 1]) : 25;
  const paths = argv.filter((a, i) => a !== "--top" && i !== at + 1);
  for (const file of filesOf(paths)) {
    const s = summariseCpuProfile(file);
    console.log(
      `\n=== ${basename(file)}: ${ms(s.wallMicros)} wall, ${ms(s.busyMicros)} busy (${((s.busyMicros / s.wallMicros) * 100).toFixed(0)} %)`,
    );
    if (s.busyMicros < 50_000) continue; // an idle thread: nothing to say
    printTop("busy time by code", top(s.byOwner, 15), s.busyMicros, ms);
    printTop("self time by function", top(s.selfByFunction, n), s.busyMicros, ms);
    printTop("total time of this repository's functions", top(s.totalByOwnFunction, n), s.busyMicros, ms);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
