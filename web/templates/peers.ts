import { html, type SafeHtml } from "../html.ts";
import { fill, type Strings } from "../i18n.ts";
import { csrfField, renderLayout, type PageFrame } from "./layout.ts";

/** A peer as the admins' page shows it (the federation service's view). */
export interface PeerRowView {
  readonly actor: string;
  readonly host: string;
  readonly handle: string | null;
  readonly name: string | null;
  readonly state: string;
  /** Our follow of them: none, requested, accepted or rejected (the actions follow from it, not from `state`). */
  readonly weFollow: string;
  /** Their follow of us: none, pending, accepted or rejected. */
  readonly theyFollow: string;
  readonly items: number;
  readonly lastSeen: string | null;
  readonly lastError: string | null;
  /** `healthy`, `unreachable`, `failing` or `unknown` (never contacted). */
  readonly health: string;
  /** When the failing contacts began, while the peer is not healthy. */
  readonly failingSince: string | null;
  /** The failure behind `lastError`, in parts a page can say in its language; null for other text. */
  readonly failure: {
    readonly kind: string;
    readonly status?: number;
    readonly seconds?: number;
    readonly detail?: string;
    readonly activity: string;
  } | null;
  /** On the node's WeGO member list, or null when the node keeps none. */
  readonly member: boolean | null;
  /** `total`: for a city this node does not follow, the size of its library as its outbox gave it. */
  readonly backfill: { readonly state: string; readonly done: number; readonly total: number };
}

function actionForm(
  frame: PageFrame,
  action: string,
  field: "actor" | "host",
  value: string,
  label: string,
  who: string,
  danger = false,
): SafeHtml {
  return html`<form method="post" action="/admin/peers/${action}" class="inline">${csrfField(frame)}<input type="hidden" name="${field}" value="${value}"><button type="submit" class="small${danger ? " danger" : " secondary"}">${label}<span class="visually-hidden"> ${who}</span></button></form>`;
}

/** Following a city that follows us: the same form as following by handle, with its actor. */
function followBack(frame: PageFrame, actor: string, who: string): SafeHtml {
  return html`<form method="post" action="/admin/peers/follow" class="inline">${csrfField(frame)}<input type="hidden" name="target" value="${actor}"><button type="submit" class="small">${frame.t.followBack}<span class="visually-hidden"> ${who}</span></button></form>`;
}

/** A moment to the minute, in UTC: a date alone hides a node down since this morning. */
function minuteOf(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** When a peer was last heard from, to the minute (UTC). */
function contactTime(iso: string): SafeHtml {
  return html`<time datetime="${iso}">${minuteOf(iso)}</time>`;
}

const FAILURE_TEXTS: Readonly<Record<string, keyof Strings>> = {
  refused: "failureRefused",
  dns: "failureDns",
  tls: "failureTls",
  reset: "failureReset",
  unreachable: "failureUnreachable",
  policy: "failurePolicy",
  "not-collection": "failureNotCollection",
  "not-json": "failureNotJson",
};

const ACTIVITY_TEXTS: Readonly<Record<string, keyof Strings>> = {
  delivery: "contactDelivery",
  outbox: "contactOutbox",
  actor: "contactActor",
  keys: "contactKeys",
};

/** The last failed contact in the reader's language (the stored English text for anything else). */
function failureText(t: Strings, p: PeerRowView): string {
  return p.failure ? contactFailureIn(t, p.failure, p.lastError ?? "") : (p.lastError ?? "");
}

/** A failed contact (`activity` optional) in the reader's language; `fallback` for a kind it cannot name. */
export function contactFailureIn(
  t: Strings,
  f: Omit<NonNullable<PeerRowView["failure"]>, "activity"> & { readonly activity?: string },
  fallback: string,
): string {
  const what =
    f.kind === "http"
      ? fill(t.failureHttp, { status: f.status ?? 0 })
      : f.kind === "timeout"
        ? f.seconds
          ? fill(t.failureTimeout, { seconds: f.seconds })
          : t.failureTimeoutBare
        : FAILURE_TEXTS[f.kind]
          ? String(t[FAILURE_TEXTS[f.kind]!])
          : (f.detail ?? fallback);
  const activity = f.activity ? ACTIVITY_TEXTS[f.activity] : undefined;
  return activity ? fill(t.contactFailure, { failure: what, activity: String(t[activity]) }) : what;
}

/** The health cell: a state that changes with the first failed contact, its time, and what went wrong. */
function healthCell(t: Strings, p: PeerRowView): SafeHtml {
  const since = p.failingSince ? minuteOf(p.failingSince) : "";
  const badge =
    p.health === "unreachable"
      ? html`<span class="badge warn" data-health="unreachable">${fill(t.healthUnreachableSince, { time: since })}</span>`
      : p.health === "failing"
        ? html`<span class="badge warn" data-health="failing">${fill(t.healthFailingSince, { time: since })}</span>`
        : p.health === "healthy"
          ? html`<span class="badge ok" data-health="healthy">${t.healthy}</span>`
          : html`<span class="badge" data-health="unknown">${t.healthUnknown}</span>`;
  return html`${badge}<br><small>${t.lastSeen}: ${p.lastSeen ? contactTime(p.lastSeen) : t.never}</small>${
    p.lastError ? html`<br><small class="last-error">${t.lastError}: ${failureText(t, p)}</small>` : ""
  }`;
}

const STATE_LABELS: Readonly<Record<string, keyof Strings>> = {
  requested: "peerStateRequested",
  pending: "peerStatePending",
  following: "peerStateFollowing",
  followed: "peerStateFollowed",
  mutual: "peerStateMutual",
  rejected: "peerStateRejected",
  blocked: "peerStateBlocked",
  none: "peerStateNone",
};

function stateCell(t: Strings, p: PeerRowView): SafeHtml {
  const key = STATE_LABELS[p.state];
  const label = key ? String(t[key]) : p.state;
  const who = p.name ?? p.handle ?? p.host;
  return html`<span class="state" data-state="${p.state}">${label}</span>${
    p.state === "pending"
      ? html`<br><small>${fill(t.peerPendingWho, { who, host: p.host })}${
          p.weFollow !== "accepted" && p.backfill.total > 0
            ? ` ${fill(t.peerPendingLibrary, { n: p.backfill.total })}`
            : ""
        } ${p.member === null ? t.peerMembershipUnchecked : p.member ? t.peerMember : ""}</small>`
      : ""
  }`;
}

function backfill(t: Strings, p: PeerRowView): SafeHtml | string {
  const { state, done, total } = p.backfill;
  // Only a city this node follows has its library copied here.
  if ((state === "idle" && total === 0) || p.weFollow !== "accepted") return "—";
  // A finished copy is told in words: its counts are of the last run, which after a catch-up
  // read only the newest page, not of the library held (the Items column says that).
  if (state === "done") return html`<span>${t.backfillDone}</span>`;
  const id = `bf-${p.host.replace(/[^a-z0-9]+/gi, "-")}`;
  return html`<label for="${id}" class="visually-hidden">${t.backfill} ${p.name ?? p.host}</label>
<progress id="${id}" max="${String(Math.max(total, 1))}" value="${String(Math.min(done, Math.max(total, 1)))}"${state === "running" ? html` data-backfilling="true"` : ""}>${done}/${total}</progress>
<small>${done} / ${total} · ${state === "running" ? t.backfillRunning : state === "failed" ? t.backfillFailed : t.backfillWaiting}</small>`;
}

/** Renders the peers page: follow form, then each peer's state, health, backfill and actions. */
export function renderPeersPage(frame: PageFrame, view: { readonly peers: readonly PeerRowView[] }): string {
  const { t } = frame;
  return renderLayout(
    frame,
    html`<h1>${t.peers}</h1>
<p class="lede">${t.peersIntro}</p>
<form method="post" action="/admin/peers/follow" class="searchbox">
  ${csrfField(frame)}
  <label for="follow-target">${t.followLabel}</label>
  <p class="hint" id="follow-hint">${t.followHint}</p>
  <input type="text" id="follow-target" name="target" aria-describedby="follow-hint" autocomplete="off">
  <button type="submit">${t.follow}</button>
</form>
${
  view.peers.length === 0
    ? html`<p class="notice">${t.noPeers}</p>`
    : html`<div class="table-wrap"><table class="stack peers">
<thead><tr><th scope="col">${t.city}</th><th scope="col">${t.state}</th><th scope="col">${t.health}</th><th scope="col">${t.items}</th><th scope="col">${t.backfill}</th><th scope="col"><span class="visually-hidden">${t.peerActions}</span></th></tr></thead>
<tbody>
${view.peers.map((p) => {
  const who = p.name ?? p.handle ?? p.host;
  return html`<tr data-actor="${p.actor}">
  <td data-label="${t.city}"><strong>${who}</strong><br><small><a href="${p.actor}">${p.handle ?? p.actor}</a></small></td>
  <td data-label="${t.state}">${stateCell(t, p)}</td>
  <td data-label="${t.health}">${p.state === "blocked" ? "—" : healthCell(t, p)}</td>
  <td data-label="${t.items}">${p.items}</td>
  <td data-label="${t.backfill}">${backfill(t, p)}</td>
  <td><div class="peer-actions">
    ${p.theyFollow === "pending" && p.state !== "blocked" ? html`${actionForm(frame, "approve", "actor", p.actor, t.approve, who)} ${actionForm(frame, "reject", "actor", p.actor, t.reject, who)}` : ""}
    ${p.theyFollow === "accepted" && (p.weFollow === "none" || p.weFollow === "rejected") && p.state !== "blocked" ? followBack(frame, p.actor, who) : ""}
    ${p.weFollow === "accepted" ? actionForm(frame, "resync", "actor", p.actor, t.resync, who) : ""}
    ${p.weFollow === "requested" || p.weFollow === "accepted" ? actionForm(frame, "unfollow", "actor", p.actor, p.weFollow === "requested" ? t.cancelRequest : t.unfollow, who, true) : ""}
    ${p.state === "blocked" ? actionForm(frame, "unblock", "host", p.host, t.unblock, who) : actionForm(frame, "block", "host", p.host, t.block, who, true)}
  </div></td>
</tr>`;
})}
</tbody></table></div>`
}`,
  );
}
