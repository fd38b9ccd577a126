import { describe, expect, it } from "vitest";
import { passageHtml } from "./snippet.ts";

describe("passageHtml", () => {
  it("passageHtml() escapes with numeric references and marks each matched word", () => {
    const passage = [
      { text: "…<b>", hit: false },
      { text: "contract", hit: true },
      { text: '</b> & "it\'s" ', hit: false },
      { text: "invoice", hit: true },
    ];
    expect(passageHtml(passage)).toBe(
      "…&#60;b&#62;<mark>contract</mark>&#60;/b&#62; &#38; &#34;it&#39;s&#34; <mark>invoice</mark>",
    );
  });

  it("passageHtml() of an empty passage is the empty string", () => {
    expect(passageHtml([])).toBe("");
  });
});
