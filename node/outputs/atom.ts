import { Feed } from "feed";
import { js2xml, xml2js, type Element } from "xml-js";
import { escapeHtml } from "../../web/html.ts";
import { formText } from "../../web/locales/form-en.ts";

// Atom 1.0 feeds of the library, written by the `feed` package. `feed` gives an entry one
// link; the link to the signed document is added to its output through xml-js (the XML
// library `feed` itself writes with), never by pasting strings into XML.

/** The vocabulary the `themes` categories come from. */
export const THEME_SCHEME = "https://wego-exchange.org/schemas/common.schema.json#/$defs/theme";

/** One entry of a feed: an item at its current version. */
export interface AtomEntry {
  /** The item's id (its URL on the origin node). */
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  /** Who signed it: the verified origin's name, never the document's own claim. */
  readonly author: { readonly name: string; readonly uri: string };
  /** The item's page on this node. */
  readonly pageUrl: string;
  /** The signed document on this node (`/api/items?id=…`). */
  readonly documentUrl: string;
  readonly themes: readonly string[];
  readonly published: string;
  readonly updated: string;
}

/** A whole feed. */
export interface AtomFeed {
  /** The feed's own URL (its id and `rel="self"`). */
  readonly selfUrl: string;
  /** The web page showing the same items (the search page with the same filters). */
  readonly pageUrl: string;
  readonly title: string;
  readonly subtitle: string;
  readonly entries: readonly AtomEntry[];
}

/**
 * The feed as Atom 1.0 XML. Titles and summaries are plain text: `feed` marks them
 * `type="html"`, so they are escaped as HTML first and a reader shows them as written.
 */
export function renderAtom(feed: AtomFeed): string {
  const newest = feed.entries
    .map((e) => e.updated)
    .sort()
    .at(-1);
  const writer = new Feed({
    id: feed.selfUrl,
    title: feed.title,
    description: feed.subtitle,
    link: feed.pageUrl,
    feedLinks: { atom: feed.selfUrl },
    // An empty feed is as new as the request; otherwise as its newest entry, so a reader's poll is stable.
    updated: newest ? new Date(newest) : new Date(),
    generator: "WeGO Exchange",
  });
  for (const e of feed.entries) {
    writer.addItem({
      id: e.id,
      title: escapeHtml(xmlText(e.title)),
      description: escapeHtml(xmlText(e.summary)),
      link: e.pageUrl,
      date: new Date(e.updated),
      published: new Date(e.published),
      author: [{ name: xmlText(e.author.name), link: e.author.uri }],
      category: e.themes.map((theme) => ({ term: theme, name: themeLabel(theme), scheme: THEME_SCHEME })),
    });
  }
  return withDocumentLinks(writer.atom1(), feed.entries);
}

/**
 * Text without the control characters XML 1.0 cannot hold (a schema-valid title may carry
 * one): left in, one peer's item would make the whole feed unreadable.
 */
function xmlText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "");
}

/** Adds to each entry a `rel="alternate"` link of type application/json to its signed document. */
function withDocumentLinks(xml: string, entries: readonly AtomEntry[]): string {
  const tree = xml2js(xml, { compact: false }) as Element;
  const root = tree.elements?.find((el) => el.name === "feed");
  const found = (root?.elements ?? []).filter((el) => el.name === "entry");
  if (found.length !== entries.length) throw new TypeError("feed wrote a different number of entries");
  found.forEach((entry, i) => {
    const link: Element = {
      type: "element",
      name: "link",
      attributes: { rel: "alternate", type: "application/json", href: entries[i]!.documentUrl },
    };
    const elements = entry.elements ?? [];
    // After the page link, where a reader looks for links.
    const at = elements.findIndex((el) => el.name === "link");
    elements.splice(at + 1, 0, link);
    entry.elements = elements;
  });
  return js2xml(tree, { spaces: 4 });
}

/** A theme's English name (a category's label), or the theme itself when the vocabulary has grown. */
function themeLabel(theme: string): string {
  return (formText.options.themes as Readonly<Record<string, string>>)[theme] ?? theme;
}
