import { afterAll, describe, expect, it } from "vitest";
import { renderDocumentFields } from "./document-fields.ts";
import { createRenderPool } from "./render-pool.ts";

const pool = createRenderPool();
afterAll(async () => {
  await pool.close();
});

/** Resolves once the pool's thread has started and answered. */
async function booted(p: ReturnType<typeof createRenderPool>): Promise<void> {
  while (!p.threads!().booted) await new Promise((r) => setTimeout(r, 5));
}

describe("createRenderPool()", () => {
  it("renders on the worker exactly what renderDocumentFields() renders in-thread, sanitized", async () => {
    await pool.render({});
    await booted(pool);
    const document = {
      body: "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))",
      problem: "*why*",
      translations: { ko: { title: "t", summary: "s", body: "## 한국어" } },
    };
    const html = await pool.render(document);
    expect(html).toEqual(renderDocumentFields(document));
    expect(html["/body"]).not.toMatch(/<script|javascript:/i);
    expect(html["/translations/ko/body"]).toBe("<h2>한국어</h2>\n");
  });

  it("answers many concurrent requests each with its own document", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.render({ body: `paragraph ${i}` })));
    expect(results.map((r) => r["/body"])).toEqual(Array.from({ length: 20 }, (_, i) => `<p>paragraph ${i}</p>\n`));
  });
});

describe("createRenderPool() when idle", () => {
  it("renders at once while its thread starts, stops the thread after idleMs without work, and starts another", async () => {
    const idle = createRenderPool(0);
    try {
      expect(idle.threads!()).toEqual({ running: false, booted: false, started: 0 });
      // No thread yet: rendered here, the same HTML, while the thread starts.
      expect((await idle.render({ body: "first" }))["/body"]).toBe("<p>first</p>\n");
      expect(idle.threads!().started).toBe(1);
      // It starts, answers, finds no work and stops (idleMs 0).
      while (idle.threads!().running) await new Promise((r) => setTimeout(r, 5));
      expect((await idle.render({ body: "second" }))["/body"]).toBe("<p>second</p>\n");
      expect(idle.threads!().started).toBe(2);
    } finally {
      await idle.close();
    }
  });
});
