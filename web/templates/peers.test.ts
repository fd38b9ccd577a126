import { describe, expect, it } from "vitest";
import { stringsFor, type Locale } from "../i18n.ts";
import type { PageFrame } from "./layout.ts";
import { renderPeersPage, type PeerRowView } from "./peers.ts";

function frame(locale: Locale): PageFrame {
  return { locale, t: stringsFor(locale), title: "Peers", cityName: "Seoul", url: "/admin/peers", csrf: "tok" };
}

const base: PeerRowView = {
  actor: "http://busan.test/cities/busan",
  host: "busan.test",
  handle: "busan@busan.test",
  name: "Busan",
  state: "mutual",
  weFollow: "accepted",
  theyFollow: "accepted",
  items: 3,
  lastSeen: "2026-12-02T17:30:05.000Z",
  lastError: null,
  health: "healthy",
  failingSince: null,
  failure: null,
  member: null,
  backfill: { state: "done", done: 3, total: 3 },
};

const down: PeerRowView = {
  ...base,
  lastError: "connection refused (reading their outbox)",
  health: "unreachable",
  failingSince: "2026-12-02T17:42:10.000Z",
  failure: { kind: "refused", activity: "outbox" },
};

function healthCell(page: string): string {
  return /<td data-label="[^"]*">(<span class="badge[\s\S]*?)<\/td>/.exec(page)?.[1] ?? "";
}

describe("renderPeersPage() health", () => {
  it("shows an unreachable peer as 'Unreachable since' the first failure, with what went wrong", () => {
    const cell = healthCell(renderPeersPage(frame("en"), { peers: [down] }));
    expect(cell).toContain('data-health="unreachable">Unreachable since 2026-12-02 17:42 UTC</span>');
    expect(cell).toContain("Last contact: <time");
    expect(cell).toContain("Last error: connection refused (reading their outbox)");
    expect(cell).not.toContain("Healthy");
  });

  it("says the failure in Korean, and a peer answering 502 is failing, not unreachable", () => {
    const ko = healthCell(renderPeersPage(frame("ko"), { peers: [down] }));
    expect(ko).toContain("2026-12-02 17:42 UTC부터 연결 안 됨");
    expect(ko).toContain("연결이 거부되었습니다 (상대의 outbox를 읽는 중)");
    const failing: PeerRowView = {
      ...down,
      lastError: "answered HTTP 502 (delivering an activity)",
      health: "failing",
      failure: { kind: "http", status: 502, activity: "delivery" },
    };
    const en = healthCell(renderPeersPage(frame("en"), { peers: [failing] }));
    expect(en).toContain('data-health="failing">Failing since 2026-12-02 17:42 UTC</span>');
    expect(en).toContain("answered HTTP 502 (delivering an activity)");
  });

  it("shows a healthy peer as healthy, and one never contacted as not contacted yet", () => {
    expect(healthCell(renderPeersPage(frame("en"), { peers: [base] }))).toContain('data-health="healthy">Healthy');
    const fresh = { ...base, lastSeen: null, health: "unknown" };
    const cell = healthCell(renderPeersPage(frame("en"), { peers: [fresh] }));
    expect(cell).toContain("Not contacted yet");
    expect(cell).toContain("Last contact: never");
  });
});

describe("renderPeersPage() library copy", () => {
  it("tells a finished copy in words beside the items held, never the last run's '3 / 3', with the last contact's time", () => {
    const holding = { ...base, items: 403, backfill: { state: "done", done: 3, total: 3 } };
    const en = renderPeersPage(frame("en"), { peers: [holding] });
    expect(en).toContain("<span>Up to date</span>");
    expect(en).toContain(">403<");
    expect(en).not.toMatch(/3 \/ 3|<progress/);
    expect(en).toContain('<time datetime="2026-12-02T17:30:05.000Z">2026-12-02 17:30 UTC</time>');
    expect(renderPeersPage(frame("ko"), { peers: [holding] })).toContain("<span>최신 상태</span>");
  });

  it("names every column in the reader's language, the hidden actions column too", () => {
    const heads = (page: string) => [...page.matchAll(/<th scope="col">([\s\S]*?)<\/th>/g)].map((m) => m[1]!);
    expect(heads(renderPeersPage(frame("en"), { peers: [base] })).at(-1)).toContain(">Actions<");
    for (const head of heads(renderPeersPage(frame("ko"), { peers: [base] }))) expect(head).toMatch(/[가-힣]/);
  });

  it("says a stopped copy in words in each language, and shows none for a city this node does not follow", () => {
    const stopped = { ...down, backfill: { state: "failed", done: 100, total: 403 } };
    expect(renderPeersPage(frame("en"), { peers: [stopped] })).toContain("100 / 403 · stopped (see the last error)");
    expect(renderPeersPage(frame("ko"), { peers: [stopped] })).toContain("100 / 403 · 중단됨(마지막 오류 참고)");
    const asking = { ...base, state: "pending", weFollow: "none", theyFollow: "pending", backfill: stopped.backfill };
    expect(renderPeersPage(frame("en"), { peers: [asking] })).not.toContain("<progress");
  });
});

describe("renderPeersPage() a pending request", () => {
  it("says who asks: name, host, the size of their library, and WeGO membership", () => {
    const asking: PeerRowView = {
      ...base,
      state: "pending",
      weFollow: "none",
      theyFollow: "pending",
      backfill: { state: "idle", done: 0, total: 403 },
    };
    const state = (page: string) => /<span class="state"[\s\S]*?<\/small>/.exec(page)?.[0] ?? "";
    expect(state(renderPeersPage(frame("en"), { peers: [asking] }))).toContain(
      "Busan (busan.test) asks to receive this city&#39;s library. Approve to send it. Their library: 403 items. WeGO membership is not checked: this node keeps no member list.",
    );
    expect(state(renderPeersPage(frame("en"), { peers: [{ ...asking, member: true }] }))).toContain(
      "On this node&#39;s list of WeGO member cities.",
    );
    expect(state(renderPeersPage(frame("ko"), { peers: [asking] }))).toContain("공개 자료: 403건.");
  });
});

describe("renderPeersPage() actions", () => {
  it("a city this node follows that asks to be followed back can be approved, and still synced and unfollowed", () => {
    const page = renderPeersPage(frame("en"), {
      peers: [{ ...base, state: "pending", weFollow: "accepted", theyFollow: "pending" }],
    });
    for (const action of ["approve", "reject", "resync", "unfollow", "block"])
      expect(page).toContain(`action="/admin/peers/${action}"`);
    expect(page).not.toContain(">Follow back<");
  });

  it("a city that follows this node, not followed back, offers Follow back and no Sync again", () => {
    const page = renderPeersPage(frame("en"), {
      peers: [{ ...base, state: "followed", weFollow: "none", theyFollow: "accepted" }],
    });
    expect(page).toContain(">Follow back<");
    expect(page).not.toContain('action="/admin/peers/resync"');
    expect(page).not.toContain('action="/admin/peers/unfollow"');
  });
});
