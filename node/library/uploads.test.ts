import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createFileStore } from "../db/file-store.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { createTestLibrary, TEST_IDENTITY, type TestLibrary } from "../test-support.ts";
import { createUploads, referencedFiles, safeFileName, sweepTemporaryUploads, type Uploads } from "./uploads.ts";

let dir: string;
let t: TestLibrary;
let uploads: Uploads;

const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
// A 1×1 PNG.
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);

async function store(bytes: Buffer | string, name: string) {
  const received = await uploads.receive(Readable.from([Buffer.from(bytes)]), name);
  if (!received.ok) throw new Error(received.reason);
  return uploads.keep(received.file);
}

describeEachDatabase("uploads", (database) => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wego-uploads-"));
    t = await createTestLibrary(TEST_IDENTITY, join(dir, "data"), { database });
    uploads = createUploads({ dir: join(dir, "files"), maxBytes: 1000, files: createFileStore(t.orm) });
  });
  afterAll(async () => {
    await t.orm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keep() stores the bytes under their SHA-256 with their size, and CSV by its extension", async () => {
    const csv = "stop,riders\nCity Hall,1200\n";
    const kept = await store(csv, "bus stops.csv");
    expect(kept).toEqual({
      sha256: sha256(csv),
      byteSize: Buffer.byteLength(csv),
      mediaType: "text/csv",
      name: "bus-stops.csv",
      format: "CSV",
    });
    const found = await uploads.find(kept.sha256);
    expect(readFileSync(found!.path, "utf8")).toBe(csv);
    expect(found!.row.publishedAt).toBeNull();
  });

  it("keep() takes the media type from the content, never from the name", async () => {
    expect((await store(PNG, "looks-like.csv")).mediaType).toBe("image/png");
    // Binary bytes the sniffer does not know are not text, whatever the extension says.
    expect((await store(Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 7, 8]), "table.csv")).mediaType).toBe(
      "application/octet-stream",
    );
    expect((await store("<html><script>alert(1)</script></html>", "page.html")).mediaType).toBe(
      "application/octet-stream",
    );
  });

  it("receive() refuses a file over the limit and leaves nothing behind", async () => {
    const result = await uploads.receive(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), "big.csv");
    expect(result).toEqual({ ok: false, reason: "too-large", name: "big.csv" });
    expect(readdirSync(join(dir, "files", "tmp"))).toEqual([]);
    const exact = await uploads.receive(Readable.from([Buffer.alloc(1000, 65)]), "exact.txt");
    expect(exact.ok).toBe(true);
    if (exact.ok) await uploads.discard(exact.file);
    expect(readdirSync(join(dir, "files", "tmp"))).toEqual([]);
  });

  it("safeFileName() makes any name one harmless path segment", () => {
    expect(safeFileName("../../etc/passwd")).toBe("passwd");
    expect(safeFileName("..\\..\\wego.sqlite")).toBe("wego.sqlite");
    expect(safeFileName(".env")).toBe("file.env");
    expect(safeFileName("버스 정류장.csv")).toBe("file.csv");
    expect(safeFileName('a\u0000b"c;.json')).toBe("a-b-c-.json");
    expect(safeFileName("")).toBe("file");
  });

  it("referencedFiles() names only this node's content-addressed files", () => {
    const h = "a".repeat(64);
    expect(
      referencedFiles(
        {
          distributions: [
            { downloadURL: `${TEST_IDENTITY.origin}/files/${h}/x.csv` },
            { downloadURL: `http://busan.test/files/${"b".repeat(64)}/x.csv` },
            { downloadURL: `${TEST_IDENTITY.origin}/files/phases.csv` },
          ],
        },
        TEST_IDENTITY.origin,
      ),
    ).toEqual([h]);
  });

  it("sweepTemporaryUploads() removes only temporary files older than the limit", async () => {
    const files = join(dir, "sweep");
    mkdirSync(join(files, "tmp"), { recursive: true });
    writeFileSync(join(files, "tmp", "old"), "left by a crash");
    writeFileSync(join(files, "tmp", "new"), "in flight");
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(join(files, "tmp", "old"), twoHoursAgo, twoHoursAgo);
    expect(await sweepTemporaryUploads(files)).toBe(1);
    expect(readdirSync(join(files, "tmp"))).toEqual(["new"]);
    expect(await sweepTemporaryUploads(join(dir, "no-such-folder"))).toBe(0);
  });
});
