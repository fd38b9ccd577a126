/**
 * The pure half of bench:scale: one figure per row with its reference measured in the same
 * run, the ratio between them, the aim beside it; the text table and the JSON of a run;
 * how the overall deadline is shared between the parts. No timing here, only arithmetic.
 */
import { fmt, printTable } from "./stats.ts";

/** How a figure compares with its reference. */
export type RatioKind =
  /** value / reference as "1.7×" (throughputs, memory, latencies). */
  | "times"
  /** value / reference as a percentage (a rate against its floor). */
  | "percent";

/** One measured figure of bench:scale. */
export interface Figure {
  /** Which row of the table (and of this run's output) it is, e.g. "search p95, two terms, at 10,000". */
  readonly name: string;
  /** The measured value, in `unit`. */
  readonly value: number;
  readonly unit: string;
  /** What it is compared with in the same run, e.g. "MiniSearch 7, same corpus and queries". */
  readonly reference?: string;
  /** The reference's value, in the same unit. */
  readonly referenceValue?: number;
  readonly ratio?: RatioKind;
  /** The aim, as text. */
  readonly aim?: string;
  /** Anything a reader needs to read the figure right. */
  readonly note?: string;
}

/** A figure that was not measured in this run, and why. */
export interface Missing {
  readonly name: string;
  readonly why: string;
}

/** What a run of bench:scale wrote (BENCH_OUT). */
export interface ScaleRun {
  readonly date: string;
  readonly node: string;
  readonly items: number;
  readonly loadAverage: readonly number[];
  readonly seconds: number;
  readonly figures: readonly Figure[];
  readonly notMeasured: readonly Missing[];
}

/** The ratio of a figure to its reference as text ("0.58×", "48.2 %"), or "" without a reference. */
export function ratioText(figure: Figure): string {
  const { value, referenceValue: ref, ratio = "times" } = figure;
  if (ref === undefined || !Number.isFinite(ref) || !Number.isFinite(value)) return "";
  if (ref === 0) return "–";
  const r = value / ref;
  if (ratio === "percent") return `${fmt(r * 100, 1)} %`;
  return `${fmt(r, r >= 10 ? 1 : 2)}×`;
}

/** A value with its unit, with fewer decimals as it grows ("0.84 ms", "12.3 ms", "1,087 MB"). */
export function valueText(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  const decimals = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return `${fmt(value, decimals)} ${unit}`;
}

/** The rows of the text table: figure, value, reference (named, with its value), ratio, aim. */
export function tableRows(figures: readonly Figure[], missing: readonly Missing[]): string[][] {
  const rows = figures.map((f) => [
    f.name,
    valueText(f.value, f.unit),
    f.reference === undefined
      ? ""
      : `${f.reference}: ${f.referenceValue === undefined ? "not measured" : valueText(f.referenceValue, f.unit)}`,
    ratioText(f),
    f.aim ?? "",
  ]);
  for (const m of missing) rows.push([m.name, "not measured", m.why, "", ""]);
  return rows;
}

/** The figures in the order of `names` (the parts' order), any others after them. */
export function inOrder(figures: readonly Figure[], names: readonly string[]): Figure[] {
  const rank = (f: Figure) => {
    const i = names.indexOf(f.name);
    return i === -1 ? names.length : i;
  };
  return [...figures].sort((a, b) => rank(a) - rank(b));
}

/** Prints a run as a table, then each figure's note. */
export function printScaleRun(run: ScaleRun): void {
  printTable(
    ["figure", "value", "reference (same run)", "ratio", "aim (issue 14)"],
    tableRows(run.figures, run.notMeasured),
  );
  const notes = run.figures.filter((f) => f.note);
  if (notes.length > 0) console.log("");
  for (const f of notes) console.log(`${f.name}: ${f.note}`);
}

/**
 * Seconds a part may run: its own nominal budget plus whatever the parts before it left
 * unused, but never so much that the parts after it lose theirs, and never past the overall
 * deadline. `later` is the sum of the nominal budgets of the parts still to come.
 */
export function partBudget(nominal: number, remaining: number, later: number): number {
  return Math.max(0, Math.min(remaining, Math.max(nominal, remaining - later)));
}
