import { createHash } from "node:crypto";
import { request } from "node:http";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poll } from "../cli/supervisor.ts";
import { upsertUser } from "../db/accounts.ts";
import { draftFixture, startTestServer, webClient, type TestServer, type WebClient } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";

// Drafts and dataset uploads through the officials' forms, over real HTTP with real multipart
// bodies, a real SQLite file and real files on disk.

let dir: string;
let server: TestServer;
const MAX = 64 * 1024;

async function as(username: string, password: string): Promise<WebClient> {
  const c = webClient(server.url);
  const res = await c.logIn(username, password);
  expect(res.status).toBe(303);
  return c;
}
const mina = () => as("mina", "a long editor password");
const joon = () => as("joon", "another editor password");
const root = () => as("root", "the admin's password!!");

/** Posts a multipart form as a browser does, with the client's cookies. */
async function postMultipart(
  c: WebClient,
  path: string,
  fields: Record<string, string>,
  files: Record<string, { name: string; bytes: Buffer | string }> = {},
): Promise<Response> {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  for (const [k, f] of Object.entries(files))
    body.append(k, new Blob([typeof f.bytes === "string" ? f.bytes : new Uint8Array(f.bytes)]), f.name);
  return fetch(server.url + path, {
    method: "POST",
    body,
    redirect: "manual",
    headers: { accept: "text/html", cookie: [...c.jar].map(([k, v]) => `${k}=${v}`).join("; ") },
  });
}

const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

/** The fields of a half-filled dataset form: a title and nothing else. */
function halfDataset(token: string, title: string, action = "draft"): Record<string, string> {
  return { _csrf: token, _action: action, "/title": title, "/language": "en" };
}

/** Every file kept under the uploads folder (temporary ones included). */
function storedFiles(): string[] {
  const root = join(dir, "files");
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

async function saveDraft(c: WebClient, title: string): Promise<string> {
  const token = await c.token("/official/new/Dataset");
  const res = await postMultipart(c, "/official/new/Dataset", halfDataset(token, title));
  expect(res.status).toBe(303);
  const location = res.headers.get("location") ?? "";
  expect(location).toMatch(/^\/official\/drafts\/d-[0-9a-f]{24}$/);
  return location;
}

describeEachDatabase("drafts and uploads in the forms", (database) => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wego-web-drafts-"));
    server = await startTestServer({ database, search: true, uploads: { dir: join(dir, "files"), maxBytes: MAX } });
    await upsertUser(server.orm, "mina", "a long editor password", "editor");
    await upsertUser(server.orm, "joon", "another editor password", "editor");
    await upsertUser(server.orm, "root", "the admin's password!!", "admin");
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  describe("drafts in the officials' forms", () => {
    it("a half-filled dataset saved as a draft is private: not listed, not searchable, no item page, nothing signed", async () => {
      const c = await mina();
      const location = await saveDraft(c, "Unpublished bus ridership");
      const page = await (await c.fetch(location)).text();
      expect(page).toContain('value="Unpublished bus ridership"');
      expect(page).toContain("Save as draft");
      expect(await (await c.fetch("/official/drafts")).text()).toContain("Unpublished bus ridership");

      await server.search!.settled();
      const items = (await (await fetch(`${server.url}/api/items`)).json()) as { items: { title: string }[] };
      expect(items.items.map((i) => i.title)).not.toContain("Unpublished bus ridership");
      const search = (await (await fetch(`${server.url}/api/search?q=ridership`)).json()) as { total: number };
      expect(search.total).toBe(0);
      for (const slug of ["unpublished-bus-ridership", location.split("/").pop()]) {
        expect((await fetch(`${server.url}/items/${slug}`)).status).toBe(404);
        const asJson = await fetch(`${server.url}/items/${slug}`, { headers: { accept: "application/activity+json" } });
        expect(asJson.status).toBe(404);
      }
      const versions = await server.orm.em.getKnex()("item_versions").where("document", "like", "%ridership%");
      expect(versions).toEqual([]);
    });

    it("only the official who made a draft and admins can open, change or discard it", async () => {
      const c = await mina();
      const location = await saveDraft(c, "Mina private draft");
      const other = await joon();
      expect((await other.fetch(location)).status).toBe(404);
      expect(await (await other.fetch("/official/drafts")).text()).not.toContain("Mina private draft");
      const token = await other.token("/official/drafts");
      const taken = await postMultipart(other, location, halfDataset(token, "Joon took it"));
      expect(taken.status).toBe(404);
      expect((await postMultipart(other, `${location}/discard`, { _csrf: token })).status).toBe(404);
      expect((await webClient(server.url).fetch(location)).status).toBe(302);

      const admin = await root();
      const list = await (await admin.fetch("/official/drafts")).text();
      expect(list).toContain("Drafts on this node");
      expect(list).toContain("Mina private draft");
      expect((await admin.fetch(location)).status).toBe(200);
      const adminToken = await admin.token(location);
      const discarded = await postMultipart(admin, `${location}/discard`, { _csrf: adminToken });
      expect(discarded.status).toBe(303);
      expect((await c.fetch(location)).status).toBe(404);
    });

    it("resuming a draft and publishing it runs the full validation, then signs and shows the item", async () => {
      const c = await mina();
      const location = await saveDraft(c, "Bus stops of Seoul");
      const token = await c.token(location);
      const refused = await postMultipart(c, location, halfDataset(token, "Bus stops of Seoul", "save"));
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain("error-summary");
      // The draft is kept as it was typed.
      expect((await c.fetch(location)).status).toBe(200);

      const doc = { ...draftFixture("dataset.minimal"), title: "Bus stops of Seoul" } as Record<string, unknown>;
      const dist = (doc.distributions as Record<string, unknown>[])[0]!;
      const fields: Record<string, string> = { ...halfDataset(token, "Bus stops of Seoul", "save") };
      fields["/summary"] = String(doc.summary);
      fields["/publisher/name"] = String((doc.publisher as { name: string }).name);
      fields["/distributions/0/accessURL"] = String(dist.accessURL ?? dist.downloadURL);
      for (const key of ["license", "themes"]) if (typeof doc[key] === "string") fields[`/${key}`] = doc[key] as string;
      const published = await postMultipart(c, location, fields);
      const body = published.status === 303 ? "" : await published.text();
      expect(published.status, body.match(/<li><a href[\s\S]*?<\/li>/g)?.join("\n")).toBe(303);
      const itemPath = published.headers.get("location")!;
      expect(itemPath).toMatch(/^\/items\/bus-stops-of-seoul/);
      expect((await fetch(server.url + itemPath)).status).toBe(200);
      expect((await c.fetch(location)).status).toBe(404);
    });

    it("a draft of a published item leaves it unchanged, and says so on resume when it changed meanwhile", async () => {
      const created = await server.library.create(
        { ...draftFixture("dataset.minimal"), title: "Parking permits" },
        { author: "test" },
      );
      if (!created.ok) throw new Error("fixture");
      const { item } = created;
      const c = await mina();
      const editPath = `/official/edit?${new URLSearchParams({ id: item.id })}`;
      const token = await c.token(editPath);
      const form = await (await c.fetch(editPath)).text();
      expect(form).toContain("Save as draft");
      const res = await postMultipart(c, editPath, {
        _csrf: token,
        _action: "draft",
        _version: "1",
        "/title": "Parking permits (pending)",
        "/language": "en",
      });
      expect(res.status).toBe(303);
      const location = res.headers.get("location")!;
      expect((await server.library.get(item.id))?.title).toBe("Parking permits");
      await server.library.update(item.id, { ...item.document, summary: "Changed by someone else." }, { author: "x" });
      const resumed = await (await c.fetch(location)).text();
      expect(resumed).toContain("it is at version 2, the draft began from version 1");
      expect(resumed).toContain('name="_version" value="2"');
    });
  });

  describe("uploading a dataset's files", () => {
    it("stores the file, fills URL, size, sniffed type and SHA-256, and serves it only once published", async () => {
      const c = await mina();
      const location = await saveDraft(c, "Ridership counts");
      const token = await c.token(location);
      const csv = "stop,riders\nCity Hall,1200\nGwanghwamun,980\n";
      const res = await postMultipart(c, location, halfDataset(token, "Ridership counts", "draft"), {
        "/distributions/0/file": { name: "../../ridership counts.csv", bytes: csv },
      });
      expect(res.status).toBe(303);
      const draft = await (await c.fetch(location)).text();
      const url = `${server.identity.origin}/files/${sha256(csv)}/ridership-counts.csv`;
      expect(draft).toContain(`value="${url}"`);
      expect(draft).toContain(`value="${Buffer.byteLength(csv)}"`);
      expect(draft).toContain('value="text/csv"');
      expect(draft).toContain(`value="${sha256(csv)}"`);
      const path = `/files/${sha256(csv)}/ridership-counts.csv`;
      expect((await fetch(server.url + path)).status).toBe(404);

      // Publishing: fill the required fields and keep the filled distribution.
      const doc = draftFixture("dataset.minimal");
      const publish = await postMultipart(c, location, {
        ...halfDataset(token, "Ridership counts", "save"),
        "/summary": String(doc.summary),
        "/publisher/name": String((doc.publisher as { name: string }).name),
        "/distributions/0/downloadURL": url,
        "/distributions/0/byteSize": String(Buffer.byteLength(csv)),
        "/distributions/0/mediaType": "text/csv",
        "/distributions/0/checksum/algorithm": "sha256",
        "/distributions/0/checksum/value": sha256(csv),
      });
      expect(publish.status).toBe(303);
      const id = `${server.identity.origin}${publish.headers.get("location")}`;
      const signed = await server.library.get(id);
      expect(signed?.document.distributions).toEqual([
        {
          downloadURL: url,
          byteSize: Buffer.byteLength(csv),
          mediaType: "text/csv",
          checksum: { algorithm: "sha256", value: sha256(csv) },
        },
      ]);
      const file = await fetch(server.url + path);
      expect(file.status).toBe(200);
      expect(file.headers.get("content-disposition")).toBe('attachment; filename="ridership-counts.csv"');
      expect(file.headers.get("x-content-type-options")).toBe("nosniff");
      expect(file.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(await file.text()).toBe(csv);
    });

    it("sniffs the media type from the bytes: a PNG named .csv is image/png, an HTML page only application/octet-stream", async () => {
      const c = await mina();
      const token = await c.token("/official/new/Dataset");
      const png = Buffer.from(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
        "hex",
      );
      const res = await postMultipart(c, "/official/new/Dataset", halfDataset(token, "Map tiles", "preview"), {
        "/distributions/0/file": { name: "tiles.csv", bytes: png },
        "/distributions/1/file": { name: "evil.html", bytes: "<html><script>alert(1)</script></html>" },
      });
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain('value="image/png"');
      expect(page).toContain('value="application/octet-stream"');
      expect(page).toContain("Stored “tiles.csv”");
    });

    it("refuses a file over the limit with 413 and a clear message, and stores nothing", async () => {
      const c = await mina();
      const token = await c.token("/official/new/Dataset");
      const before = storedFiles();
      const res = await postMultipart(c, "/official/new/Dataset", halfDataset(token, "Too big", "draft"), {
        "/distributions/0/file": { name: "huge.csv", bytes: Buffer.alloc(MAX + 1, 65) },
      });
      expect(res.status).toBe(413);
      const page = await res.text();
      expect(page).toContain(
        "The file “huge.csv” is larger than 1 MB, so it was not stored.".replace(
          "1 MB",
          `${Math.floor(MAX / 1048576) || 1} MB`,
        ),
      );
      expect(page).toContain('value="Too big"');
      expect(storedFiles()).toEqual(before);
      expect(await (await c.fetch("/official/drafts")).text()).not.toContain("Too big");
    });

    it("writes nothing for a multipart post without a valid CSRF token, or from someone not logged in", async () => {
      const before = storedFiles();
      const c = await mina();
      const noToken = await postMultipart(
        c,
        "/official/new/Dataset",
        { _action: "draft", "/title": "x" },
        {
          "/distributions/0/file": { name: "a.csv", bytes: "csrf,less\n" },
        },
      );
      expect(noToken.status).toBe(403);
      const anonymous = await postMultipart(
        webClient(server.url),
        "/official/new/Dataset",
        { "/title": "x" },
        {
          "/distributions/0/file": { name: "b.csv", bytes: "anonymous,upload\n" },
        },
      );
      expect(anonymous.status).toBe(302);
      expect(anonymous.headers.get("location")).toMatch(/^\/login/);
      expect(storedFiles()).toEqual(before);
    });

    it("bounds a multipart form's text like an urlencoded form's: over 1 MB is a 413", async () => {
      const c = await mina();
      const token = await c.token("/official/new/Dataset");
      const res = await postMultipart(c, "/official/new/Dataset", {
        ...halfDataset(token, "Long"),
        "/summary": "a".repeat(600_000),
        "/body": "b".repeat(600_000),
      });
      expect(res.status).toBe(413);
      expect(await (await c.fetch("/official/drafts")).text()).not.toContain(">Long<");
    });

    it("a client that goes away in the middle of an upload leaves no temporary file", async () => {
      const c = await mina();
      const token = await c.token("/official/new/Dataset");
      const boundary = "----wego-test-boundary";
      const head = [
        `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n`,
        `--${boundary}\r\nContent-Disposition: form-data; name="/distributions/0/file"; filename="half.csv"\r\nContent-Type: text/csv\r\n\r\n`,
      ].join("");
      const url = new URL(`${server.url}/official/new/Dataset`);
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: {
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "content-length": String(head.length + 40_000),
          cookie: [...c.jar].map(([k, v]) => `${k}=${v}`).join("; "),
        },
      });
      req.on("error", () => {});
      req.write(head);
      req.write("x".repeat(20_000));
      const tmp = join(dir, "files", "tmp");
      await poll("the temporary file exists", async () => existsSync(tmp) && readdirSync(tmp).length > 0);
      req.destroy();
      await poll("the temporary file is gone", async () => readdirSync(tmp).length === 0);
      expect(readdirSync(tmp)).toEqual([]);
    });
  });
});
