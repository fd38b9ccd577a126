import { Writer, type Quad } from "n3";
import jsonld from "jsonld";
import createRdfXmlScribe from "@graphy/content.xml.scribe";
import { NS } from "./dcat-vocabularies.ts";

/** The RDF serializations the node writes. */
export type RdfFormat = "turtle" | "jsonld" | "rdfxml";

/** Media type of each serialization. */
export const RDF_MEDIA_TYPES: Readonly<Record<RdfFormat, string>> = {
  turtle: "text/turtle",
  jsonld: "application/ld+json",
  rdfxml: "application/rdf+xml",
};

/** Writes a graph in one serialization, with the catalogue's prefixes. Each writer is a library's: n3, jsonld, graphy. */
export async function serializeRdf(quads: readonly Quad[], format: RdfFormat): Promise<string> {
  if (format === "turtle") return writeN3(quads, "Turtle", NS);
  if (format === "jsonld") return writeJsonLd(quads);
  return writeRdfXml(quads);
}

function writeN3(quads: readonly Quad[], format: string, prefixes?: Record<string, string>): Promise<string> {
  const writer = new Writer({ format, prefixes });
  writer.addQuads(bySubject(quads));
  return new Promise((resolve, reject) =>
    writer.end((error, result: string) => (error ? reject(error) : resolve(result))),
  );
}

/** JSON-LD compacted with the prefixes as its context; nothing is ever fetched while writing it. */
async function writeJsonLd(quads: readonly Quad[]): Promise<string> {
  const nquads = await writeN3(quads, "N-Quads");
  const expanded = await jsonld.fromRDF(nquads, { format: "application/n-quads" });
  const documentLoader = (url: string): never => {
    throw new Error(`no remote context is loaded while writing the catalogue: ${url}`);
  };
  const compacted = await jsonld.compact(expanded, { ...NS }, { documentLoader } as jsonld.Options.Compact);
  return `${JSON.stringify(compacted, null, 2)}\n`;
}

function writeRdfXml(quads: readonly Quad[]): Promise<string> {
  const scribe = createRdfXmlScribe({ prefixes: { ...NS } });
  let out = "";
  return new Promise((resolve, reject) => {
    scribe.on("data", (chunk: string | Buffer) => {
      out += chunk.toString();
    });
    scribe.on("error", reject);
    scribe.on("end", () => resolve(out));
    for (const q of bySubject(quads)) scribe.write(q);
    scribe.end();
  });
}

/** The quads grouped by subject, subjects in order of first appearance: Turtle and RDF/XML then describe each subject once. */
function bySubject(quads: readonly Quad[]): Quad[] {
  const groups = new Map<string, Quad[]>();
  for (const q of quads) {
    const key = `${q.subject.termType}:${q.subject.value}`;
    const group = groups.get(key);
    if (group) group.push(q);
    else groups.set(key, [q]);
  }
  return [...groups.values()].flat();
}
