import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { InProcessMessageQueue } from "@fedify/fedify";
import { Create, Note } from "@fedify/fedify/vocab";
import { classifyContactError, contactFailureText } from "./contact-errors.ts";
import { trackDeliveries } from "./delivery-errors.ts";
import { createTestFederation, createTestReceiver, type TestReceiver } from "./test-support.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("trackDeliveries()", () => {
  it("names the inbox of the outbox message whose handler runs, and nothing outside one", async () => {
    const tracked = trackDeliveries(new InProcessMessageQueue());
    const seen: (string | null)[] = [];
    const stop = new AbortController();
    cleanups.push(() => stop.abort());
    void tracked.queue.listen(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(tracked.currentInbox()?.href ?? null);
      },
      { signal: stop.signal },
    );
    await tracked.queue.enqueue({ type: "outbox", inbox: "https://busan.test/inbox" });
    await tracked.queue.enqueue({ type: "inbox", activity: {} });
    await until(() => seen.length === 2);
    expect(seen).toEqual(["https://busan.test/inbox", null]);
    expect(tracked.currentInbox()).toBeNull();
  });
});

describe("createWegoFederation() onDeliveryError", () => {
  it("reports the inbox a failed delivery was for, in plain words (answered 500, connection refused), and a delivery that arrived", async () => {
    const node: TestReceiver = await createTestReceiver();
    cleanups.push(() => node.orm.close());
    const server: Server = createServer((_req, res) => res.writeHead(500).end("down for maintenance"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const failing = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A port nobody listens on: the error is fetch's own, and names no URL.
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", resolve));
    const refusing = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => spare.close(() => resolve()));

    const accepting: Server = createServer((_req, res) => res.writeHead(202).end());
    await new Promise<void>((resolve) => accepting.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => accepting.close(() => resolve())));
    const reachable = `http://127.0.0.1:${(accepting.address() as AddressInfo).port}`;

    const errors: { inbox: string | null; message: string; text: string }[] = [];
    const delivered: string[] = [];
    const federation = createTestFederation(node, {
      onDeliveryError: (inbox, error) =>
        void errors.push({
          inbox: inbox?.href ?? null,
          message: error.message,
          text: contactFailureText(classifyContactError(error)),
        }),
      onDelivered: (inbox) => void delivered.push(inbox.href),
    });
    const stop = new AbortController();
    cleanups.push(() => stop.abort());
    void federation.startQueue(undefined, { signal: stop.signal });
    const ctx = federation.createContext(new URL(node.identity.origin), undefined);
    const actor = new URL(node.identity.actorId);
    for (const base of [failing, refusing, reachable]) {
      await ctx.sendActivity(
        { identifier: node.identity.city },
        { id: new URL(`${base}/users/x`), inboxId: new URL(`${base}/inbox`), endpoints: null },
        new Create({
          id: new URL(`${actor.href}#test-${base}`),
          actor,
          object: new Note({ id: new URL(`${node.identity.origin}/notes/1`), content: "hello" }),
        }),
      );
    }
    await until(() => new Set(errors.map((e) => e.inbox)).size >= 2 && delivered.length >= 1);
    expect(new Set(errors.map((e) => e.inbox))).toEqual(new Set([`${failing}/inbox`, `${refusing}/inbox`]));
    expect(errors.find((e) => e.inbox === `${failing}/inbox`)?.text).toBe("answered HTTP 500");
    expect(errors.find((e) => e.inbox === `${refusing}/inbox`)?.text).toBe("connection refused");
    expect(delivered).toEqual([`${reachable}/inbox`]);
  });
});
