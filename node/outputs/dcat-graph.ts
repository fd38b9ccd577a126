import { DataFactory, type Quad, type Quad_Object, type Quad_Subject } from "n3";
import type { ContactPoint, Dataset, Distribution } from "../library/documents.generated.ts";
import {
  CATALOGUE_METADATA_LICENCE,
  checksumAlgorithmIri,
  DATA_THEME_LABELS,
  DATA_THEME_SCHEME,
  FREQUENCIES,
  fileTypeIri,
  LOCAL_AUTHORITY,
  languageIri,
  licenceIri,
  mediaTypeIri,
  NS,
  THEME_TO_DATA_THEMES,
} from "./dcat-vocabularies.ts";

const { namedNode, literal, blankNode, quad } = DataFactory;

/** Text in several languages, keyed by BCP 47 tag. */
export type LanguageMap = Readonly<Record<string, string>>;

/** The catalogue itself: who runs it and what it is. */
export interface CatalogueDescription {
  readonly iri: string;
  readonly title: LanguageMap;
  readonly description: LanguageMap;
  /** The city actor that publishes the catalogue, and its name. */
  readonly publisher: { readonly iri: string; readonly name: string };
  readonly homepage: string;
  /** Languages the catalogue's own metadata is written in. */
  readonly languages: readonly string[];
  /** When a dataset in it last changed (RFC 3339), if it holds any. */
  readonly modified?: string;
}

/** One page of a paged catalogue, as ckanext-dcat describes it (hydra:PagedCollection). */
export interface CataloguePage {
  /** This page's URL. */
  readonly iri: string;
  readonly totalItems: number;
  readonly itemsPerPage: number;
  readonly first: string;
  readonly last: string;
  readonly next?: string;
  readonly previous?: string;
}

/** A dataset document (schemas/dataset.schema.json) and where it came from. */
export interface CatalogueDataset {
  readonly document: Dataset;
  /** The page of the item on the node serving the catalogue (its landing page when the document names none). */
  readonly page: string;
}

const a = namedNode(`${NS.rdf}type`);
const term = (ns: keyof typeof NS, local: string) => namedNode(`${NS[ns]}${local}`);
const typed = (value: string, type: string) => literal(value, namedNode(`${NS.xsd}${type}`));

/** A date (YYYY-MM-DD) as xsd:date, a date-time as xsd:dateTime. */
function dateLiteral(value: string) {
  return typed(value, /^\d{4}-\d\d-\d\d$/.test(value) ? "date" : "dateTime");
}

/**
 * Builds the RDF graph of a DCAT-AP 3.0.1 catalogue page: the dcat:Catalog, its datasets with
 * their distributions, and the hydra paging. Every IRI that DCAT-AP expects to be of a class
 * (a licence, a theme, a frequency…) is typed in the graph, so a SHACL validator given only
 * this graph can check the ranges.
 */
export function buildCatalogueGraph(
  catalogue: CatalogueDescription,
  datasets: readonly CatalogueDataset[],
  page: CataloguePage,
): Quad[] {
  const quads: Quad[] = [];
  // Documents were schema-checked (URLs are RFC 3986 URIs), but a writer must not trust that:
  // an IRI with a character Turtle cannot hold inside <…> would let a value write triples of its own.
  const add = (s: Quad_Subject, p: ReturnType<typeof namedNode>, o: Quad_Object) => {
    if (isSafeIri(s) && isSafeIri(o)) quads.push(quad(s, p, o));
  };
  const typedOnce = new Set<string>();
  /** Declares an IRI's class once per graph, with a label where its shape wants one. */
  const declare = (iri: string, cls: ReturnType<typeof namedNode>, label?: string) => {
    const key = `${iri} ${cls.value}`;
    if (typedOnce.has(key)) return namedNode(iri);
    typedOnce.add(key);
    add(namedNode(iri), a, cls);
    if (label) add(namedNode(iri), term("skos", "prefLabel"), literal(label, "en"));
    return namedNode(iri);
  };
  const agents = new Set<string>();
  /** A publisher: the city actor, named by the first name given for it on this page. */
  const agent = (iri: string, name: string) => {
    const node = namedNode(iri);
    if (agents.has(iri)) return node;
    agents.add(iri);
    add(node, a, term("foaf", "Agent"));
    add(node, term("foaf", "name"), literal(name));
    add(node, term("dct", "type"), declare(LOCAL_AUTHORITY, term("skos", "Concept"), "Local Authority"));
    return node;
  };
  const language = (tag: string) => declare(languageIri(tag), term("dct", "LinguisticSystem"));
  const licence = (id: string) => declare(licenceIri(id), term("dct", "LicenseDocument"));

  const c = namedNode(catalogue.iri);
  add(c, a, term("dcat", "Catalog"));
  for (const [lang, text] of Object.entries(catalogue.title)) add(c, term("dct", "title"), literal(text, lang));
  for (const [lang, text] of Object.entries(catalogue.description))
    add(c, term("dct", "description"), literal(text, lang));
  add(c, term("dct", "publisher"), agent(catalogue.publisher.iri, catalogue.publisher.name));
  add(c, term("foaf", "homepage"), declare(catalogue.homepage, term("foaf", "Document")));
  for (const tag of catalogue.languages) add(c, term("dct", "language"), language(tag));
  add(c, term("dct", "license"), licence(CATALOGUE_METADATA_LICENCE));
  if (catalogue.modified) add(c, term("dct", "modified"), dateLiteral(catalogue.modified));

  for (const dataset of datasets) {
    const node = addDataset(dataset);
    if (node) add(c, term("dcat", "dataset"), node);
  }

  const p = namedNode(page.iri);
  add(p, a, term("hydra", "PagedCollection"));
  add(p, term("hydra", "totalItems"), typed(String(page.totalItems), "integer"));
  add(p, term("hydra", "itemsPerPage"), typed(String(page.itemsPerPage), "integer"));
  add(p, term("hydra", "firstPage"), literal(page.first));
  add(p, term("hydra", "lastPage"), literal(page.last));
  if (page.next) add(p, term("hydra", "nextPage"), literal(page.next));
  if (page.previous) add(p, term("hydra", "previousPage"), literal(page.previous));
  return quads;

  function addDataset({ document: d, page: itemPage }: CatalogueDataset) {
    const id = d.id;
    if (!isSafeIri(namedNode(id)) || !isSafeIri(namedNode(d.attributedTo))) return null;
    // The item's URL is a page about the dataset (its landing page); the dataset itself is
    // that page's `#dataset`, as its distributions are `#distribution-N`.
    const s = namedNode(`${id}#dataset`);
    const lang = d.language;
    add(s, a, term("dcat", "Dataset"));
    add(s, term("dct", "identifier"), literal(id));
    for (const [tag, t] of [[lang, d] as const, ...Object.entries(d.translations ?? {})]) {
      if (!t) continue;
      add(s, term("dct", "title"), literal(t.title, tag));
      add(s, term("dct", "description"), literal(t.summary, tag));
    }
    add(s, term("dct", "publisher"), agent(d.attributedTo, d.publisher.name));
    add(s, term("dcat", "contactPoint"), contactPoint(d.contactPoint, d.publisher.name, itemPage));
    for (const word of new Set([...(d.keywords ?? []), ...(d.tags ?? [])]))
      add(s, term("dcat", "keyword"), literal(word, lang));
    const codes = new Set((d.themes ?? []).flatMap((t) => THEME_TO_DATA_THEMES[t] ?? []));
    for (const code of [...codes].sort()) add(s, term("dcat", "theme"), dataTheme(code));
    add(s, term("dct", "language"), language(lang));
    add(s, term("dct", "issued"), dateLiteral(d.issued ?? d.published));
    add(s, term("dct", "modified"), dateLiteral(d.modified ?? d.updated));
    const frequency = d.accrualPeriodicity && FREQUENCIES[d.accrualPeriodicity];
    if (frequency) add(s, term("dct", "accrualPeriodicity"), declare(frequency, term("dct", "Frequency")));
    if (d.spatial) {
      const place = blankNode();
      add(place, a, term("dct", "Location"));
      add(place, term("skos", "prefLabel"), literal(d.spatial));
      add(s, term("dct", "spatial"), place);
    }
    const { start, end } = d.temporal ?? {};
    if (start || end) {
      const period = blankNode();
      add(period, a, term("dct", "PeriodOfTime"));
      if (start) add(period, term("dcat", "startDate"), dateLiteral(start));
      if (end) add(period, term("dcat", "endDate"), dateLiteral(end));
      add(s, term("dct", "temporal"), period);
    }
    add(s, term("dcat", "landingPage"), declare(d.landingPage ?? itemPage, term("foaf", "Document")));
    d.distributions.forEach((dist, i) => {
      add(s, term("dcat", "distribution"), addDistribution(`${id}#distribution-${i + 1}`, dist, lang, d.license));
    });
    return s;
  }

  /** An EU data theme, declared once with its label and scheme. */
  function dataTheme(code: string) {
    const iri = `${DATA_THEME_SCHEME}/${code}`;
    if (typedOnce.has(iri)) return namedNode(iri);
    typedOnce.add(iri);
    if (!typedOnce.has(DATA_THEME_SCHEME)) {
      typedOnce.add(DATA_THEME_SCHEME);
      add(declare(DATA_THEME_SCHEME, term("skos", "ConceptScheme")), term("dct", "title"), literal("Data theme", "en"));
    }
    const theme = declare(iri, term("skos", "Concept"), DATA_THEME_LABELS[code]);
    add(theme, term("skos", "inScheme"), namedNode(DATA_THEME_SCHEME));
    return theme;
  }

  function contactPoint(given: ContactPoint | undefined, publisherName: string, itemPage: string) {
    const kind = blankNode();
    add(kind, a, term("vcard", "Kind"));
    add(kind, a, term("vcard", "Organization"));
    add(kind, term("vcard", "fn"), literal(given?.name ?? publisherName));
    if (given?.email) add(kind, term("vcard", "hasEmail"), namedNode(`mailto:${given.email}`));
    // Without a named contact, the item's page is where a reader reaches the publishing city.
    else add(kind, term("vcard", "hasURL"), namedNode(itemPage));
    return kind;
  }

  function addDistribution(iri: string, dist: Distribution, lang: string, licenceId: string | undefined) {
    const s = namedNode(iri);
    add(s, a, term("dcat", "Distribution"));
    if (dist.title) add(s, term("dct", "title"), literal(dist.title, lang));
    // DCAT-AP requires an access URL; a plain download's access URL is the file itself.
    const access = dist.accessURL ?? dist.downloadURL;
    if (access) add(s, term("dcat", "accessURL"), namedNode(access));
    if (dist.downloadURL) add(s, term("dcat", "downloadURL"), namedNode(dist.downloadURL));
    if (dist.mediaType)
      add(s, term("dcat", "mediaType"), declare(mediaTypeIri(dist.mediaType), term("dct", "MediaType")));
    const format = fileTypeIri(dist.mediaType, dist.format);
    if (format) add(s, term("dct", "format"), declare(format, term("dct", "MediaTypeOrExtent")));
    if (typeof dist.byteSize === "number")
      add(s, term("dcat", "byteSize"), typed(String(dist.byteSize), "nonNegativeInteger"));
    if (dist.checksum) {
      const sum = blankNode();
      add(sum, a, term("spdx", "Checksum"));
      add(
        sum,
        term("spdx", "algorithm"),
        declare(checksumAlgorithmIri(dist.checksum.algorithm), term("spdx", "ChecksumAlgorithm")),
      );
      add(sum, term("spdx", "checksumValue"), typed(dist.checksum.value, "hexBinary"));
      add(s, term("spdx", "checksum"), sum);
    }
    if (licenceId) add(s, term("dct", "license"), licence(licenceId));
    return s;
  }
}

/** Whether a term is no IRI, or an absolute IRI with none of the characters IRIREF forbids. */
function isSafeIri(term: Quad_Subject | Quad_Object): boolean {
  return term.termType !== "NamedNode" || (/^[^\x00-\x20<>"{}|^`\\]+$/.test(term.value) && URL.canParse(term.value));
}
