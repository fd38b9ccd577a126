import { html } from "../html.ts";
import { fill } from "../i18n.ts";
import { csrfField, renderLayout, type PageFrame } from "./layout.ts";
import { DOCUMENT_TYPES } from "../../schemas/catalogue.ts";
import { typeLabel } from "./parts.ts";

/** Renders the first step of publishing: which type of item to write, for the frame's city. */
export function renderNewItemPage(frame: PageFrame): string {
  const { t } = frame;
  return renderLayout(
    frame,
    html`<h1>${t.newItem}</h1><p class="lede">${fill(t.newItemIntro, { city: frame.cityName })}</p>
<ul class="type-choices">${DOCUMENT_TYPES.map((ty) => html`<li><a href="/official/new/${ty}"><strong>${typeLabel(t, ty)}</strong></a></li>`)}</ul>
<p><a href="/official/drafts">${t.myDrafts}</a></p>`,
  );
}

/** What the delete confirmation needs. */
export interface DeleteView {
  /** The item's title, in the question. */
  readonly title: string;
  /** The version being deleted: a newer one makes the deletion a conflict. */
  readonly version: number;
  /** Where the form posts. */
  readonly action: string;
  /** The item's page, for "cancel". */
  readonly cancelHref: string;
}

/** Renders the question before an item is deleted. */
export function renderDeletePage(frame: PageFrame, view: DeleteView): string {
  const { t } = frame;
  return renderLayout(
    frame,
    html`<h1>${fill(t.confirmDelete, { title: view.title })}</h1>
<p>${t.confirmDeleteHelp}</p>
<form method="post" action="${view.action}">${csrfField(frame)}
<input type="hidden" name="_version" value="${String(view.version)}">
<div class="form-actions"><button type="submit" class="danger">${t.delete}</button> <a class="button secondary" href="${view.cancelHref}">${t.cancel}</a></div>
</form>`,
  );
}
