/**
 * npm run screenshots:snac — starts a city node and snac 2.94 on loopback; a snac user
 * follows the city, which publishes a pathway; writes docs/screenshots/snac-timeline.png,
 * snac's timeline showing the city's item as its readers see it, with Debian's Chromium.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { draftFixture } from "../../node/test-support.ts";
import { api, createCluster, peerState, publish, type CityNode } from "../federation/cluster.ts";
import { freePort, poll, removeDir, ROOT, tempDir } from "../support.ts";
import { launchBrowser } from "../web/browser.ts";
import { buildSnac, startSnac } from "./snac.ts";

const OUT = join(ROOT, "docs/screenshots");

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const bin = await buildSnac();
  const dir = tempDir("snac-shot");
  const cluster = createCluster();
  const [city, snac, browser] = await Promise.all([
    cluster.start("seoul", { args: ["--name", "Seoul", "--member-since", "2010"] }),
    freePort().then((port) => startSnac(bin, join(dir, "snac"), port)),
    launchBrowser(),
  ]);
  try {
    await snac.command("follow", snac.user, city.actor);
    await poll(
      "Seoul to see the request",
      async () => (await peerState(city, { actor: snac.actor } as CityNode)) === "pending",
    );
    await api(city, "/api/peers/approve", { json: { actor: snac.actor } });
    await poll("snac to hold the Accept", async () =>
      snac.jsonFiles(`user/${snac.user}/following`).some((a) => a.type === "Accept"),
    );
    const id = await publish(city, draftFixture("pathway.rich"));
    await poll("snac to hold the pathway", async () =>
      snac.jsonFiles(`user/${snac.user}/private`).some((o) => o.id === id),
    );
    const context = await browser.newContext({
      locale: "en-US",
      viewport: { width: 1000, height: 1400 },
      httpCredentials: { username: snac.user, password: snac.password },
    });
    const page = await context.newPage();
    await page.goto(`${snac.actor}/admin`);
    await page.screenshot({ path: join(OUT, "snac-timeline.png") });
    console.log("docs/screenshots/snac-timeline.png");
  } finally {
    await browser.close();
    await snac.stop();
    await cluster.stop();
    removeDir(dir);
  }
}

await main();
