import { readdirSync, readFileSync } from "node:fs";
import { fmt } from "./stats.ts";

/** A process's resident set size, in bytes (Linux: /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

/** RSS, its anonymous part, and the process's threads (the index and render workers are threads). */
export function memoryOf(pid: number): string {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const anon = Number(/Anonymous:\s+(\d+)/.exec(rollup)?.[1] ?? 0) * 1024;
  const threads = readdirSync(`/proc/${pid}/task`).length;
  return `RSS ${fmt(rssOf(pid) / 2 ** 20)} MB (anonymous ${fmt(anon / 2 ** 20)} MB), ${threads} threads`;
}
