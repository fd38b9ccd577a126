import { html } from "../html.ts";

/**
 * The HTML `content` of an item's Article, as fediverse software shows it: the item's
 * rendered body (sanitized when it was rendered), or its summary as one escaped
 * paragraph when it has no body.
 */
export function renderActivityContent(body: string | undefined, summary: string): string {
  return body ?? html`<p>${summary}</p>`.value;
}
