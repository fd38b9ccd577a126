import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";

// marked passes raw HTML through untouched, so every rendering goes through
// sanitize-html with an allowlist: no script, no event handlers, no javascript: URLs.
const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "br",
    "hr",
    "blockquote",
    "pre",
    "code",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "strong",
    "em",
    "b",
    "i",
    "s",
    "del",
    "ins",
    "sub",
    "sup",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "figure",
    "figcaption",
    "abbr",
    "kbd",
    "mark",
    "small",
    "span",
  ],
  allowedAttributes: {
    a: ["href", "title", "hreflang", "rel"],
    img: ["src", "alt", "title", "width", "height"],
    th: ["align", "scope", "colspan", "rowspan"],
    td: ["align", "colspan", "rowspan"],
    ol: ["start"],
    code: ["class"],
    abbr: ["title"],
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["http", "https"] },
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  transformTags: {
    // Links in documents from other cities must not pass our referrer or window handle.
    a: sanitizeHtml.simpleTransform("a", { rel: "noopener noreferrer nofollow" }),
    // An image on another host would be fetched by every reader's browser and tell that
    // host who reads what: it becomes a link the reader may follow. Images on this node
    // (a path starting with one "/") stay images.
    img: (tagName, attribs) => {
      const src = attribs.src ?? "";
      if (/^\/(?![/\\])/.test(src)) return { tagName, attribs };
      return {
        tagName: "a",
        attribs: { href: src, rel: "noopener noreferrer nofollow" },
        text: attribs.alt || attribs.title || (/^https?:/i.test(src) ? src : ""),
      };
    },
  },
};

const marked = new Marked({ gfm: true, breaks: false, async: false });

/** Renders untrusted Markdown to sanitized HTML, safe to put inside a page. */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown, { async: false });
  return sanitizeHtml(html, sanitizeOptions);
}
