// How the node's own words map onto the controlled vocabularies DCAT-AP asks for: the EU
// Publications Office authority tables (data themes, frequencies, file types, languages,
// licences), IANA media types and SPDX checksum algorithms. A table of strings, kept apart
// from the code that builds the graph.

/** Namespaces of the catalogue, with the prefixes every serialization uses. */
export const NS = {
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  rdfs: "http://www.w3.org/2000/01/rdf-schema#",
  xsd: "http://www.w3.org/2001/XMLSchema#",
  dcat: "http://www.w3.org/ns/dcat#",
  dct: "http://purl.org/dc/terms/",
  foaf: "http://xmlns.com/foaf/0.1/",
  vcard: "http://www.w3.org/2006/vcard/ns#",
  skos: "http://www.w3.org/2004/02/skos/core#",
  spdx: "http://spdx.org/rdf/terms#",
  hydra: "http://www.w3.org/ns/hydra/core#",
} as const;

const EU = "http://publications.europa.eu/resource/authority";

/** The EU data-theme concept scheme (dcat:theme values). */
export const DATA_THEME_SCHEME = `${EU}/data-theme`;

/** The EU data themes: code → English label (the scheme's own labels). */
export const DATA_THEME_LABELS: Readonly<Record<string, string>> = {
  AGRI: "Agriculture, fisheries, forestry and food",
  ECON: "Economy and finance",
  EDUC: "Education, culture and sport",
  ENER: "Energy",
  ENVI: "Environment",
  GOVE: "Government and public sector",
  HEAL: "Health",
  INTR: "International issues",
  JUST: "Justice, legal system and public safety",
  REGI: "Regions and cities",
  SOCI: "Population and society",
  TECH: "Science and technology",
  TRAN: "Transport",
};

/** WeGO Exchange's themes (schemas/common.schema.json) → the EU data themes they fall under. */
export const THEME_TO_DATA_THEMES: Readonly<Record<string, readonly string[]>> = {
  "citizen-participation": ["GOVE", "SOCI"],
  "service-delivery": ["GOVE"],
  "open-data": ["GOVE"],
  "digital-infrastructure": ["TECH"],
  "smart-city": ["REGI", "TECH"],
  "e-voting": ["GOVE"],
  "taxation-and-finance": ["ECON"],
  geospatial: ["REGI"],
  "transparency-and-accountability": ["GOVE"],
  "international-cooperation": ["INTR"],
  "public-safety": ["JUST"],
  health: ["HEAL"],
  transport: ["TRAN"],
  education: ["EDUC"],
  environment: ["ENVI"],
  "digital-inclusion": ["SOCI"],
  "cybersecurity-and-privacy": ["TECH", "JUST"],
  "capacity-building": ["GOVE", "EDUC"],
};

/** A dataset's `accrualPeriodicity` → the EU frequency authority table. */
export const FREQUENCIES: Readonly<Record<string, string>> = {
  continuous: `${EU}/frequency/CONT`,
  daily: `${EU}/frequency/DAILY`,
  weekly: `${EU}/frequency/WEEKLY`,
  monthly: `${EU}/frequency/MONTHLY`,
  quarterly: `${EU}/frequency/QUARTERLY`,
  annual: `${EU}/frequency/ANNUAL`,
  irregular: `${EU}/frequency/IRREG`,
  never: `${EU}/frequency/NEVER`,
};

/** IANA media type → EU file-type code (dct:format). */
const FILE_TYPES_BY_MEDIA_TYPE: Readonly<Record<string, string>> = {
  "text/csv": "CSV",
  "application/json": "JSON",
  "application/geo+json": "GEOJSON",
  "application/ld+json": "JSON_LD",
  "text/html": "HTML",
  "application/xhtml+xml": "XHTML",
  "application/xml": "XML",
  "text/xml": "XML",
  "application/pdf": "PDF",
  "text/plain": "TXT",
  "text/turtle": "RDF_TURTLE",
  "application/rdf+xml": "RDF_XML",
  "application/zip": "ZIP",
  "application/vnd.ms-excel": "XLS",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
  "application/vnd.oasis.opendocument.spreadsheet": "ODS",
  "application/vnd.google-earth.kml+xml": "KML",
  "application/x-parquet": "PARQUET",
  "application/vnd.apache.parquet": "PARQUET",
};

/** Format names as publishers write them (`CSV`, `GeoJSON`) → EU file-type code. */
const FILE_TYPES_BY_NAME: Readonly<Record<string, string>> = {
  CSV: "CSV",
  JSON: "JSON",
  GEOJSON: "GEOJSON",
  "JSON-LD": "JSON_LD",
  HTML: "HTML",
  XML: "XML",
  PDF: "PDF",
  TXT: "TXT",
  TURTLE: "RDF_TURTLE",
  "RDF/XML": "RDF_XML",
  ZIP: "ZIP",
  XLS: "XLS",
  XLSX: "XLSX",
  ODS: "ODS",
  KML: "KML",
  SHP: "SHP",
  PARQUET: "PARQUET",
};

/** The EU file-type IRI of a distribution, from its media type or else its format name; null if unknown. */
export function fileTypeIri(mediaType: string | undefined, format: string | undefined): string | null {
  const code =
    (mediaType && FILE_TYPES_BY_MEDIA_TYPE[mediaType]) || (format && FILE_TYPES_BY_NAME[format.toUpperCase()]);
  return code ? `${EU}/file-type/${code}` : null;
}

/** The IANA registry IRI of a media type, as DCAT-AP writes dcat:mediaType. */
export function mediaTypeIri(mediaType: string): string {
  return `https://www.iana.org/assignments/media-types/${mediaType}`;
}

/** ISO 639-1 → EU language authority code, for the languages WeGO cities write in most. */
const EU_LANGUAGES: Readonly<Record<string, string>> = {
  ar: "ARA",
  de: "DEU",
  en: "ENG",
  es: "SPA",
  fr: "FRA",
  id: "IND",
  it: "ITA",
  ja: "JPN",
  ko: "KOR",
  mn: "MON",
  ms: "MSA",
  nl: "NLD",
  pt: "POR",
  ru: "RUS",
  th: "THA",
  tr: "TUR",
  uz: "UZB",
  vi: "VIE",
  zh: "ZHO",
};

/** The IRI of a language for dct:language: the EU authority table where it lists the language, else the Library of Congress ISO 639-1 IRI. */
export function languageIri(tag: string): string {
  const primary = tag.split("-")[0]!.toLowerCase();
  const eu = EU_LANGUAGES[primary];
  return eu ? `${EU}/language/${eu}` : `http://id.loc.gov/vocabulary/iso639-1/${primary}`;
}

/** SPDX licence ids that the EU licence authority table lists, with its codes. */
const EU_LICENCES: Readonly<Record<string, string>> = {
  "CC-BY-4.0": "CC_BY_4_0",
  "CC-BY-SA-4.0": "CC_BYSA_4_0",
  "CC-BY-3.0": "CC_BY_3_0",
  "CC0-1.0": "CC0",
};

/** The IRI of a licence: an http(s) URL as written, an SPDX id through the EU table or else SPDX's own IRI. */
export function licenceIri(licence: string): string {
  if (/^https?:\/\//.test(licence)) return licence;
  const eu = EU_LICENCES[licence];
  return eu ? `${EU}/licence/${eu}` : `http://spdx.org/licenses/${licence}`;
}

/** The SPDX IRI of a checksum algorithm (`sha256` → spdx:checksumAlgorithm_sha256). */
export function checksumAlgorithmIri(algorithm: string): string {
  return `${NS.spdx}checksumAlgorithm_${algorithm}`;
}

/** The ADMS publisher type of a city government. */
export const LOCAL_AUTHORITY = "http://purl.org/adms/publishertype/LocalAuthority";

/** The licence of the catalogue's own metadata (not of the datasets): CC0, as data.europa.eu asks of harvested metadata. */
export const CATALOGUE_METADATA_LICENCE = "CC0-1.0";
