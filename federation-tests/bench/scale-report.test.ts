import { describe, expect, it } from "vitest";
import { type Figure, inOrder, partBudget, ratioText, tableRows, valueText } from "./scale-report.ts";

const figure = (over: Partial<Figure> = {}): Figure => ({ name: "x", value: 1, unit: "ms", ...over });

describe("ratioText()", () => {
  it("gives value ÷ reference as a multiple, with two decimals below 10×", () => {
    expect(ratioText(figure({ value: 3.4, referenceValue: 2 }))).toBe("1.70×");
    expect(ratioText(figure({ value: 0.5, referenceValue: 4 }))).toBe("0.13×");
    expect(ratioText(figure({ value: 231, referenceValue: 2 }))).toBe("115.5×");
  });

  it("gives a percentage of the floor for percent figures", () => {
    expect(ratioText(figure({ value: 1111, referenceValue: 2294, ratio: "percent" }))).toBe("48.4 %");
  });

  it("is empty without a reference or with a reference that was not measured, a dash for a zero reference", () => {
    expect(ratioText(figure())).toBe("");
    expect(ratioText(figure({ referenceValue: Number.NaN }))).toBe("");
    expect(ratioText(figure({ referenceValue: 0 }))).toBe("–");
  });
});

describe("valueText()", () => {
  it("keeps fewer decimals as the value grows, with thousands separators", () => {
    expect(valueText(0.844, "ms")).toBe("0.84 ms");
    expect(valueText(12.34, "ms")).toBe("12.3 ms");
    expect(valueText(1087.4, "MB")).toBe("1,087 MB");
    expect(valueText(Number.NaN, "MB")).toBe("–");
  });
});

describe("tableRows()", () => {
  it("puts value, named reference with its value, ratio and aim in a row, and a 'not measured' row with the reason", () => {
    const rows = tableRows(
      [figure({ name: "search p95", value: 4.2, reference: "MiniSearch 7", referenceValue: 8.4, aim: "≤ 5 ms" })],
      [{ name: "backfill", why: "its budget of 250 s ran out" }],
    );
    expect(rows).toEqual([
      ["search p95", "4.20 ms", "MiniSearch 7: 8.40 ms", "0.50×", "≤ 5 ms"],
      ["backfill", "not measured", "its budget of 250 s ran out", "", ""],
    ]);
  });

  it("says so when a figure's reference was not measured", () => {
    const rows = tableRows([figure({ name: "p95", value: 4.2, reference: "MiniSearch 7" })], []);
    expect(rows[0]![2]).toBe("MiniSearch 7: not measured");
    expect(rows[0]![3]).toBe("");
  });
});

describe("inOrder()", () => {
  it("sorts figures by the parts' list of names, unknown names last", () => {
    const names = ["a", "b", "c"];
    const sorted = inOrder([figure({ name: "z" }), figure({ name: "c" }), figure({ name: "a" })], names);
    expect(sorted.map((f) => f.name)).toEqual(["a", "c", "z"]);
  });
});

describe("partBudget()", () => {
  it("gives a part its nominal budget when time is as planned", () => {
    expect(partBudget(100, 600, 500)).toBe(100);
  });

  it("passes time left unused by earlier parts on, keeping the later parts' budgets", () => {
    expect(partBudget(100, 650, 500)).toBe(150);
  });

  it("never goes past the overall deadline, nor below zero", () => {
    expect(partBudget(100, 40, 500)).toBe(40);
    expect(partBudget(100, -3, 0)).toBe(0);
  });
});
