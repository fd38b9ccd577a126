import { html, type SafeHtml } from "../html.ts";
import { fill } from "../i18n.ts";
import { renderLayout, type PageFrame } from "./layout.ts";
import { safeHost } from "./parts.ts";
import { adoptionStatus, type AdoptionEntry } from "./adoptions.ts";

const SIZE = { width: 720, height: 460, radius: 165 };

/** The city an adopted case comes from: the signer's name where the node holds the case, else its host. */
function originOf(e: AdoptionEntry): string {
  return e.caseCity ?? safeHost(e.caseId);
}

/**
 * Cities on a circle, one arrow per pair (from the case's city to the adopter), thicker for
 * more adoptions. Drawn here, on the server: no script. Screen readers get the title and
 * summary; the table after it says everything the drawing does.
 */
function renderGraph(frame: PageFrame, entries: readonly AdoptionEntry[]): SafeHtml {
  const { t } = frame;
  const cities = [...new Set(entries.flatMap((e) => [originOf(e), e.city]))].sort((a, b) => a.localeCompare(b));
  const { width, height, radius } = SIZE;
  const cx = width / 2;
  const cy = height / 2;
  const at = new Map(
    cities.map((c, i) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * i) / cities.length;
      return [c, { x: cx + radius * Math.cos(angle), y: cy + radius * Math.sin(angle), angle }] as const;
    }),
  );
  const pairs = new Map<string, { from: string; to: string; n: number }>();
  for (const e of entries) {
    const key = `${originOf(e)}\u0000${e.city}`;
    const pair = pairs.get(key) ?? { from: originOf(e), to: e.city, n: 0 };
    pairs.set(key, { ...pair, n: pair.n + 1 });
  }
  const edge = ({ from, to, n }: { from: string; to: string; n: number }) => {
    const a = at.get(from)!;
    const b = at.get(to)!;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const length = Math.hypot(dx, dy) || 1;
    // Stop short of both circles so the arrowhead shows.
    const trim = 14;
    return html`<line class="edge" x1="${(a.x + (dx * trim) / length).toFixed(1)}" y1="${(a.y + (dy * trim) / length).toFixed(1)}" x2="${(b.x - (dx * (trim + 4)) / length).toFixed(1)}" y2="${(b.y - (dy * (trim + 4)) / length).toFixed(1)}" stroke-width="${Math.min(6, 1.5 + n)}" marker-end="url(#arrow)"></line>`;
  };
  const summary = fill(t.networkChart, { n: entries.length, cities: cities.length });
  return html`<figure class="network">
<svg viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="network-title network-desc" class="network-graph">
<title id="network-title">${t.networkTitle}</title>
<desc id="network-desc">${summary}: ${[...pairs.values()].map((p) => `${p.from} → ${p.to} (${p.n})`).join("; ")}</desc>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"></path></marker></defs>
${[...pairs.values()].map(edge)}
${cities.map((c) => {
  const p = at.get(c)!;
  const right = Math.cos(p.angle) >= -0.01;
  const lx = p.x + (right ? 16 : -16);
  return html`<g class="city"><circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="10"></circle><text x="${lx.toFixed(1)}" y="${(p.y + 5).toFixed(1)}" text-anchor="${right ? "start" : "end"}">${c}</text></g>`;
})}
</svg>
<figcaption>${summary}</figcaption>
</figure>`;
}

/** The network page: which city adopts what from whom, drawn and as a table. */
export function renderNetworkPage(frame: PageFrame, entries: readonly AdoptionEntry[]): string {
  const { t, locale } = frame;
  return renderLayout(
    frame,
    html`<h1>${t.networkTitle}</h1>
<p class="lede">${t.networkIntro}</p>
${
  entries.length === 0
    ? html`<p class="notice">${t.networkEmpty}</p>`
    : html`${renderGraph(frame, entries)}
<h2 id="network-table-h">${t.networkTable}</h2>
<div class="table-wrap"><table class="stack" aria-labelledby="network-table-h">
<thead><tr><th scope="col">${t.adoptedFrom}</th><th scope="col">${t.caseLabel}</th><th scope="col">${t.adoptedBy}</th><th scope="col">${t.status}</th><th scope="col">${t.since}</th></tr></thead>
<tbody>${entries.map(
        (e) =>
          html`<tr><td data-label="${t.adoptedFrom}">${originOf(e)}</td><td data-label="${t.caseLabel}">${e.caseHref ? html`<a href="${e.caseHref}">${e.caseTitle ?? e.caseId}</a>` : e.caseId}</td><td data-label="${t.adoptedBy}"><a href="${e.cityHref}">${e.city}</a></td><td data-label="${t.status}"><a href="${e.href}">${adoptionStatus(locale, e.status)}</a></td><td data-label="${t.since}"><time datetime="${e.date}">${e.date}</time></td></tr>`,
      )}</tbody></table></div>`
}`,
  );
}
