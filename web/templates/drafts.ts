import { html } from "../html.ts";
import { fill } from "../i18n.ts";
import { renderLayout, type PageFrame } from "./layout.ts";
import { dateTag, typeLabel } from "./parts.ts";

/** One draft in the list. */
export interface DraftListEntry {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  /** Pending edits of a published item (not a new item). */
  readonly edits: boolean;
  readonly ownerName: string;
  readonly updatedAt: string;
}

/** Renders "My drafts" (an editor's own) or, for an admin, every draft of the node. */
export function renderDraftsPage(
  frame: PageFrame,
  view: { readonly all: boolean; readonly drafts: readonly DraftListEntry[] },
): string {
  const { t } = frame;
  return renderLayout(
    frame,
    html`<h1>${view.all ? t.nodeDrafts : t.myDrafts}</h1>
<p class="lede">${t.draftsIntro}</p>
${
  view.drafts.length === 0
    ? html`<p>${t.noDrafts}</p>`
    : html`<ul class="draft-list">${view.drafts.map(
        (d) => html`<li><a href="/official/drafts/${d.id}"><strong>${d.title || t.untitled}</strong></a>
<p class="meta">${typeLabel(t, d.type)} · ${d.edits ? t.draftEdits : t.draftNew} · ${t.updated} ${dateTag(d.updatedAt)}${view.all ? html` · ${fill(t.draftBy, { name: d.ownerName })}` : ""}</p></li>`,
      )}</ul>`
}
<p><a href="/official/new">${t.newItem}</a></p>`,
  );
}
