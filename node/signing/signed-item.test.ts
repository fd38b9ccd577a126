import { describe, expect, it } from "vitest";
import { Article, Document, Note } from "@fedify/fedify/vocab";
import {
  MAX_SIGNED_ITEM_LENGTH,
  readSignedItemOfJson,
  readSignedItemOfObject,
  SIGNED_ITEM_MEDIA_TYPE,
  toSignedItemAttachment,
} from "./signed-item.ts";

const signed = { document: { id: "https://a.example/items/1", type: "CaseStudy", version: 1 }, jws: "eyJ..x" };

describe("readSignedItemOfObject()", () => {
  it("reads back what toSignedItemAttachment() carries", async () => {
    const article = new Article({ id: new URL(signed.document.id), attachments: [toSignedItemAttachment(signed)] });
    expect(await readSignedItemOfObject(article)).toEqual({ ok: true, signed });
  });

  it("refuses an object without the attachment, or with an oversized or malformed one", async () => {
    expect(await readSignedItemOfObject(new Note({ content: "hi" }))).toEqual({
      ok: false,
      reason: "the object carries no signed document",
    });
    const carrying = (content: string) =>
      new Note({ attachments: [new Document({ mediaType: SIGNED_ITEM_MEDIA_TYPE, content })] });
    expect(await readSignedItemOfObject(carrying("x".repeat(MAX_SIGNED_ITEM_LENGTH + 1)))).toEqual({
      ok: false,
      reason: "the signed document is too large",
    });
    expect(await readSignedItemOfObject(carrying("{nope"))).toEqual({
      ok: false,
      reason: "the signed document is not JSON",
    });
    expect(await readSignedItemOfObject(carrying(JSON.stringify({ document: signed.document })))).toEqual({
      ok: false,
      reason: "the signed document lacks document or jws",
    });
  });
});

describe("readSignedItemOfJson()", () => {
  it("reads the API's {document, jws} and an ActivityStreams attachment alike", async () => {
    expect(readSignedItemOfJson(signed)).toEqual({ ok: true, signed });
    const article = await new Article({
      id: new URL(signed.document.id),
      attachments: [toSignedItemAttachment(signed)],
    }).toJsonLd({ format: "compact" });
    expect(readSignedItemOfJson(article)).toEqual({ ok: true, signed });
  });

  it("applies the same length limit as the object path", () => {
    const json = {
      attachment: {
        type: "Document",
        mediaType: SIGNED_ITEM_MEDIA_TYPE,
        content: "x".repeat(MAX_SIGNED_ITEM_LENGTH + 1),
      },
    };
    expect(readSignedItemOfJson(json)).toEqual({ ok: false, reason: "the signed document is too large" });
    expect(readSignedItemOfJson({ id: "https://a.example/items/1" })).toEqual({
      ok: false,
      reason: "the object carries no signed document",
    });
    expect(readSignedItemOfJson(null)).toEqual({ ok: false, reason: "the object carries no signed document" });
  });
});
