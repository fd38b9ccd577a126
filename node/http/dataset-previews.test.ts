import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileStore } from "../db/file-store.ts";
import { createUploads } from "../library/uploads.ts";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";

let dir: string;
let node: TestServer;

/** Keeps `text` as an uploaded file, as the publishing form does, and returns its URL here. */
async function upload(name: string, text: string): Promise<string> {
  const uploads = createUploads({ dir, files: createFileStore(node.orm) });
  const received = await uploads.receive(Readable.from([Buffer.from(text)]), name);
  if (!received.ok) throw new Error(received.reason);
  const kept = await uploads.keep(received.file);
  return `${node.identity.origin}/files/${kept.sha256}/${kept.name}`;
}

async function datasetPage(distributions: unknown[]): Promise<string> {
  const created = await node.library.create({ ...draftFixture("dataset.minimal"), distributions }, { author: "test" });
  if (!created.ok) throw new Error(JSON.stringify(created));
  const res = await fetch(`${node.url}${new URL(created.item.id).pathname}`, { headers: { accept: "text/html" } });
  return res.text();
}

describeEachDatabase("dataset previews", (database) => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wego-previews-"));
    node = await startTestServer({ database, uploads: { dir } });
  });
  afterAll(async () => {
    await node?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  describe("dataset previews", () => {
    it("shows the first rows of an uploaded CSV as a table with a caption and column headers, Korean and markup as text", async () => {
      const rows = Array.from({ length: 30 }, (_, i) => `정류장 ${i},${i * 10},"<b>${i}</b>, with a comma"`);
      const href = await upload("kiosks.csv", `\uFEFFstop,kiosks,note\n${rows.join("\n")}\n`);
      const page = await datasetPage([
        { title: "Kiosks by stop", downloadURL: href, mediaType: "text/csv", format: "CSV" },
      ]);
      expect(page).toContain('<h2 id="csv-preview-0">Preview of Kiosks by stop</h2>');
      expect(page).toContain("<caption>The first 20 rows of Kiosks by stop</caption>");
      expect(page).toContain('<th scope="col">stop</th><th scope="col">kiosks</th><th scope="col">note</th>');
      expect(page).toContain("<tr><td>정류장 0</td><td>0</td><td>&lt;b&gt;0&lt;/b&gt;, with a comma</td></tr>");
      expect(page).toContain("<td>정류장 19</td>");
      expect(page).not.toContain("<td>정류장 20</td>");
      expect(page).toContain("Only the beginning of the file is shown.");
    });

    it("reads a bounded start of a large file and shows its whole first rows", async () => {
      const line = `${"x".repeat(1000)},${"y".repeat(1000)}`;
      const href = await upload("big.csv", `a,b\n${Array.from({ length: 500 }, () => line).join("\n")}\n`);
      const page = await datasetPage([{ downloadURL: href, format: "CSV" }]);
      expect(page).toContain('<th scope="col">a</th><th scope="col">b</th>');
      // Cells are cut to 200 characters.
      expect(page).toContain(`<td>${"x".repeat(200)}…</td>`);
    });

    it("shows nothing for a remote URL, a file that is not CSV, or an unknown file of ours", async () => {
      const json = await upload("points.json", '{"a":1}');
      const page = await datasetPage([
        { downloadURL: "https://data.example.org/kiosks.csv", mediaType: "text/csv" },
        { downloadURL: json, mediaType: "application/json" },
        { downloadURL: `${node.identity.origin}/files/${"0".repeat(64)}/gone.csv`, mediaType: "text/csv" },
      ]);
      expect(page).toContain("<h1>");
      expect(page).not.toContain("csv-preview");
    });
  });
});
