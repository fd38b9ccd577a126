import { renderMarkdown } from "./markdown.ts";

/** The Markdown fields of a document, rendered to sanitized HTML, keyed by JSON pointer. */
export type RenderedFields = Record<string, string>;

const MARKDOWN_FIELDS = ["body", "problem", "approach"] as const;

/**
 * Renders every Markdown field of a document (body, problem, approach and each
 * translation's body) once, at write time, so reads never render.
 */
export function renderDocumentFields(document: Record<string, unknown>): RenderedFields {
  const out: RenderedFields = {};
  for (const field of MARKDOWN_FIELDS) {
    const value = document[field];
    if (typeof value === "string" && value.length > 0) out[`/${field}`] = renderMarkdown(value);
  }
  const translations = document.translations;
  if (translations && typeof translations === "object") {
    for (const [lang, t] of Object.entries(translations as Record<string, unknown>)) {
      const body = (t as Record<string, unknown> | null)?.body;
      if (typeof body === "string" && body.length > 0) out[`/translations/${lang}/body`] = renderMarkdown(body);
    }
  }
  return out;
}
