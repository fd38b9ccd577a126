import { describe, expect, it } from "vitest";
import { parseBoundedJson } from "./json-bounds.ts";

describe("parseBoundedJson()", () => {
  it("accepts an ordinary activity", () => {
    const parsed = parseBoundedJson(
      JSON.stringify({
        type: "Create",
        actor: "https://a.example/x",
        object: { type: "Note", tag: [{ type: "Hashtag" }] },
      }),
    );
    expect(parsed).toMatchObject({ ok: true, value: { type: "Create" } });
  });

  it("refuses nesting deeper than the bound", () => {
    let deep: unknown = {};
    for (let i = 0; i < 20; i++) deep = { a: deep };
    expect(parseBoundedJson(JSON.stringify(deep), { maxDepth: 12 })).toEqual({
      ok: false,
      reason: "the JSON is nested deeper than 12 levels",
    });
  });

  it("refuses extreme nesting that JSON.parse itself cannot take, without throwing", () => {
    const text = "[".repeat(200_000) + "]".repeat(200_000);
    expect(parseBoundedJson(text).ok).toBe(false);
  });

  it("refuses too many values and too wide objects", () => {
    expect(parseBoundedJson(JSON.stringify(Array.from({ length: 30_000 }, (_, i) => i)))).toEqual({
      ok: false,
      reason: "the JSON has more than 20000 values",
    });
    const wide = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, i]));
    expect(parseBoundedJson(JSON.stringify(wide))).toEqual({
      ok: false,
      reason: "a JSON object has more than 500 keys",
    });
  });

  it("refuses an @context embedded deeper than allowed, and takes one at the top", () => {
    const activity = {
      "@context": "https://www.w3.org/ns/activitystreams",
      type: "Create",
      object: { "@context": [], type: "Note", tag: { "@context": {}, type: "Hashtag" } },
    };
    expect(parseBoundedJson(JSON.stringify(activity), { maxContextDepth: 2 })).toEqual({
      ok: false,
      reason: "a JSON-LD @context is embedded deeper than level 2",
    });
    expect(
      parseBoundedJson(JSON.stringify({ ...activity, object: { "@context": [], type: "Note" } }), {
        maxContextDepth: 2,
      }).ok,
    ).toBe(true);
  });

  it("refuses a body that is not JSON", () => {
    expect(parseBoundedJson("{nope")).toEqual({ ok: false, reason: "the body is not JSON" });
  });
});
