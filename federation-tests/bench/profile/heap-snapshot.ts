/**
 * Summarises a V8 heap snapshot (`.heapsnapshot`, as `v8.writeHeapSnapshot()` or
 * `--heapsnapshot-signal` write it) by what RETAINS the memory, as DevTools' Summary does but
 * without loading the file as one JSON string (snapshots of a node holding the network pass
 * the 512 MB string limit): the numbers are parsed straight from the bytes, the dominator
 * tree is computed (Cooper, Harvey and Kennedy's iterative algorithm; weak edges ignored)
 * and retained sizes are summed by constructor, each object counted once (not again under
 * an object of its own kind that retains it).
 *
 *   node --import tsx federation-tests/bench/profile/heap-snapshot.ts <file.heapsnapshot> [--top 30]
 */
import { readFileSync } from "node:fs";
import { add, mb, printTop, top } from "./frames.ts";

interface Meta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
}

/** Parses the array of unsigned integers that starts after `key` (`"nodes":[`). */
function parseInts(buf: Buffer, key: string, count: number): Uint32Array {
  let at = buf.indexOf(key) + key.length;
  const out = new Uint32Array(count);
  let n = 0;
  let value = 0;
  let inNumber = false;
  for (; n < count; at++) {
    const c = buf[at]!;
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      inNumber = true;
    } else if (inNumber) {
      out[n++] = value;
      value = 0;
      inNumber = false;
      if (c === 93) break; // ]
    } else if (c === 93) break;
  }
  return out;
}

/** Parses the array of JSON strings after `"strings":[`. */
function parseStrings(buf: Buffer): string[] {
  let at = buf.lastIndexOf('"strings":[') + '"strings":['.length;
  const out: string[] = [];
  while (at < buf.length) {
    const c = buf[at]!;
    if (c === 93) break;
    if (c !== 34) {
      at++;
      continue;
    }
    let end = at + 1;
    while (buf[end] !== 34) end += buf[end] === 92 ? 2 : 1;
    out.push(JSON.parse(buf.toString("utf8", at, end + 1)) as string);
    at = end + 1;
  }
  return out;
}

export interface SnapshotSummary {
  readonly totalSelf: number;
  readonly nodeCount: number;
  readonly selfByClass: Map<string, number>;
  readonly retainedByClass: Map<string, number>;
  readonly countByClass: Map<string, number>;
  /** The largest single objects by retained size, with the kinds of their first dominators. */
  readonly biggest: { label: string; retained: number; chain: string }[];
}

export function summariseSnapshot(file: string, topN = 30): SnapshotSummary {
  const buf = readFileSync(file);
  const head = buf.toString("utf8", 0, buf.indexOf('"nodes":['));
  const header = JSON.parse(`${head.replace(/,\s*$/, "")}}`) as {
    snapshot: { meta: Meta; node_count: number; edge_count: number };
  };
  const { meta, node_count: N, edge_count: E } = header.snapshot;
  const NF = meta.node_fields.length;
  const EF = meta.edge_fields.length;
  const nodes = parseInts(buf, '"nodes":[', N * NF);
  const edges = parseInts(buf, '"edges":[', E * EF);
  const strings = parseStrings(buf);
  const [nType, nName, nSelf, nEdges] = ["type", "name", "self_size", "edge_count"].map((f) =>
    meta.node_fields.indexOf(f),
  ) as [number, number, number, number];
  const [eType, eName, eTo] = ["type", "name_or_index", "to_node"].map((f) => meta.edge_fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const weak = edgeTypes.indexOf("weak");
  const shortcut = edgeTypes.indexOf("shortcut");

  const classOf = (i: number): string => {
    const type = nodeTypes[nodes[i * NF + nType]!]!;
    const name = strings[nodes[i * NF + nName]!]!;
    if (type === "object" || type === "native") return name.split(" ")[0] === "system" ? "(system)" : name;
    if (type === "closure") return "(closure)";
    if (type === "hidden" || type === "synthetic") return `(${type})`;
    if (type === "array") return name.startsWith("(") ? `(array) ${name}` : "(array)";
    return `(${type})`;
  };
  const firstEdge = new Uint32Array(N + 1);
  for (let i = 0; i < N; i++) firstEdge[i + 1] = firstEdge[i]! + nodes[i * NF + nEdges]!;
  const followed = (e: number) => edges[e * EF + eType] !== weak && edges[e * EF + eType] !== shortcut;

  // Depth-first from the root (node 0): postorder numbers.
  const UNSEEN = 0xffffffff;
  const post = new Uint32Array(N).fill(UNSEEN);
  const order = new Uint32Array(N);
  const visited = new Uint8Array(N);
  const stack = new Uint32Array(N);
  const cursor = new Uint32Array(N);
  let sp = 0;
  let count = 0;
  stack[sp++] = 0;
  visited[0] = 1;
  cursor[0] = firstEdge[0]!;
  while (sp > 0) {
    const v = stack[sp - 1]!;
    let pushed = false;
    while (cursor[v]! < firstEdge[v + 1]!) {
      const e = cursor[v]!;
      cursor[v] = e + 1;
      if (!followed(e)) continue;
      const w = edges[e * EF + eTo]! / NF;
      if (visited[w]) continue;
      visited[w] = 1;
      cursor[w] = firstEdge[w]!;
      stack[sp++] = w;
      pushed = true;
      break;
    }
    if (!pushed) {
      sp--;
      post[v] = count;
      order[count++] = v;
    }
  }

  // Predecessors (reachable ones), by postorder number.
  const predCount = new Uint32Array(count + 1);
  for (let v = 0; v < N; v++) {
    if (post[v] === UNSEEN) continue;
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e++) {
      if (!followed(e)) continue;
      const slot = post[edges[e * EF + eTo]! / NF]! + 1;
      predCount[slot] = predCount[slot]! + 1;
    }
  }
  for (let i = 0; i < count; i++) predCount[i + 1] = predCount[i + 1]! + predCount[i]!;
  const preds = new Uint32Array(predCount[count]!);
  const fill = predCount.slice(0, count);
  for (let v = 0; v < N; v++) {
    if (post[v] === UNSEEN) continue;
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e++)
      if (followed(e)) preds[fill[post[edges[e * EF + eTo]! / NF]!]!++] = post[v]!;
  }

  // Dominators on postorder numbers; the root has the highest.
  const root = count - 1;
  const dom = new Uint32Array(count).fill(UNSEEN);
  dom[root] = root;
  for (let changed = true; changed; ) {
    changed = false;
    for (let b = root - 1; b >= 0; b--) {
      let idom = UNSEEN;
      for (let p = predCount[b]!; p < predCount[b + 1]!; p++) {
        let a = preds[p]!;
        if (dom[a] === UNSEEN) continue;
        if (idom === UNSEEN) {
          idom = a;
          continue;
        }
        let c = idom;
        while (a !== c) {
          while (a < c) a = dom[a]!;
          while (c < a) c = dom[c]!;
        }
        idom = a;
      }
      if (idom !== UNSEEN && dom[b] !== idom) {
        dom[b] = idom;
        changed = true;
      }
    }
  }

  // Retained sizes: each object's own plus what it dominates (dominated objects come first in postorder).
  const retained = new Float64Array(count);
  let totalSelf = 0;
  for (let b = 0; b < count; b++) {
    const self = nodes[order[b]! * NF + nSelf]!;
    retained[b]! += self;
    totalSelf += self;
    if (b !== root) retained[dom[b]!]! += retained[b]!;
  }

  const classes = new Array<string>(count);
  const selfByClass = new Map<string, number>();
  const countByClass = new Map<string, number>();
  for (let b = 0; b < count; b++) {
    classes[b] = classOf(order[b]!);
    add(selfByClass, classes[b]!, nodes[order[b]! * NF + nSelf]!);
    add(countByClass, classes[b]!, 1);
  }
  // Retained by class: an object counts unless an object of its own class dominates it.
  const retainedByClass = new Map<string, number>();
  for (let b = 0; b < count; b++) {
    if (b === root) continue;
    let under = false;
    for (let a = dom[b]!; a !== root; a = dom[a]!)
      if (classes[a] === classes[b]) {
        under = true;
        break;
      }
    if (!under) add(retainedByClass, classes[b]!, retained[b]!);
  }

  const label = (b: number) => {
    const name = strings[nodes[order[b]! * NF + nName]!]!;
    const c = classes[b]!;
    return c === name || !name ? c : `${c} ${JSON.stringify(name.slice(0, 60))}`;
  };
  const chosen = [...Array(count).keys()]
    .filter((b) => b !== root && !classes[b]!.startsWith("(synthetic)"))
    .sort((x, y) => retained[y]! - retained[x]!)
    .slice(0, topN);
  // The name of the reference by which each one's dominator (or else any object) holds it.
  const via = new Map<number, string>();
  const wanted = new Set(chosen.map((b) => order[b]!));
  for (let v = 0; v < N; v++)
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e++) {
      const w = edges[e * EF + eTo]! / NF;
      if (!wanted.has(w) || !followed(e)) continue;
      const type = edgeTypes[edges[e * EF + eType]!];
      const raw = edges[e * EF + eName]!;
      const name = type === "element" || type === "hidden" ? `[${raw}]` : `.${strings[raw]}`;
      if (!via.has(w) || post[v] === dom[post[w]!]) via.set(w, name);
    }
  const biggest = chosen.map((b) => {
    const chain: string[] = [];
    for (let a = dom[b]!; a !== root && chain.length < 4; a = dom[a]!) chain.push(label(a));
    return { label: `${label(b)} (as ${via.get(order[b]!) ?? "?"})`, retained: retained[b]!, chain: chain.join(" ← ") };
  });
  return { totalSelf, nodeCount: count, selfByClass, retainedByClass, countByClass, biggest };
}

function main(argv: readonly string[]): void {
  const at = argv.indexOf("--top");
  const n = at >= 0 ? Number(argv[at + 1]) : 30;
  const file = argv.find((a, i) => a !== "--top" && i !== at + 1)!;
  const s = summariseSnapshot(file, n);
  console.log(`=== ${file}: ${mb(s.totalSelf)} in ${s.nodeCount.toLocaleString("en-US")} reachable objects`);
  printTop("retained by constructor (each object once)", top(s.retainedByClass, n), s.totalSelf, mb);
  printTop("self size by constructor", top(s.selfByClass, n), s.totalSelf, mb);
  console.log("\nlargest single objects by retained size (← their dominators)");
  for (const b of s.biggest) console.log(`  ${mb(b.retained).padStart(10)}  ${b.label}  ← ${b.chain}`);
  console.log("\nobjects by constructor (count)");
  for (const [k, v] of top(s.countByClass, 15)) console.log(`  ${v.toLocaleString("en-US").padStart(10)}  ${k}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
