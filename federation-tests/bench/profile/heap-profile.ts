/**
 * Summarises V8 sampling heap profiles (`node --heap-prof`, one `.heapprofile` per thread,
 * written at exit): the sampled allocations still alive then, by code (package, Node
 * internals, folder of this repository), by allocating function, and by the nearest function
 * of this repository on the allocating stack (who asked for the bytes).
 *
 *   node --import tsx federation-tests/bench/profile/heap-profile.ts <file.heapprofile|folder>… [--top 20]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { add, type CallFrame, frameLabel, isOwnCode, mb, ownerOf, printTop, top } from "./frames.ts";

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

function main(argv: readonly string[]): void {
  const at = argv.indexOf("--top");
  const n = at >= 0 ? Number(argv[at + 1]) : 20;
  const paths = argv.filter((a, i) => a !== "--top" && i !== at + 1);
  const files = paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith(".heapprofile"))
          .map((f) => join(p, f))
      : [p],
  );
  for (const file of files) {
    const { head } = JSON.parse(readFileSync(file, "utf8")) as { head: HeapNode };
    const byOwner = new Map<string, number>();
    const byFunction = new Map<string, number>();
    const byOwnCaller = new Map<string, number>();
    let total = 0;
    const walk = (node: HeapNode, ownCaller: string) => {
      const caller = isOwnCode(node.callFrame) ? frameLabel(node.callFrame) : ownCaller;
      if (node.selfSize > 0) {
        total += node.selfSize;
        add(byOwner, ownerOf(node.callFrame), node.selfSize);
        add(byFunction, frameLabel(node.callFrame), node.selfSize);
        add(byOwnCaller, caller, node.selfSize);
      }
      for (const c of node.children) walk(c, caller);
    };
    walk(head, "(no function of this repository on the stack)");
    console.log(`\n=== ${basename(file)}: ${mb(total)} sampled as alive at exit`);
    if (total < 2 ** 20) continue;
    printTop("by code", top(byOwner, 12), total, mb);
    printTop("by allocating function", top(byFunction, n), total, mb);
    printTop("by the nearest function of this repository", top(byOwnCaller, n), total, mb);
  }
}

main(process.argv.slice(2));
