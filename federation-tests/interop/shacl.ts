import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import type { Quad } from "@rdfjs/types";
import jsonld from "jsonld";
import { Parser, Store } from "n3";
import SHACLValidator from "rdf-validate-shacl";
import { RdfXmlParser } from "rdfxml-streaming-parser";

// Readers independent of the code that writes the catalogue: a parser per serialization
// (n3 for Turtle, jsonld for JSON-LD, rdfxml-streaming-parser for RDF/XML) and a real SHACL
// validator over SEMIC's official DCAT-AP 3.0.1 shapes, vendored beside this file.

const SHAPES_DIR = new URL("./dcat-ap-3.0.1/", import.meta.url);

/** Parses Turtle with n3's parser. */
export function parseTurtle(text: string, baseIRI?: string): Quad[] {
  return new Parser({ baseIRI }).parse(text) as Quad[];
}

/** Parses JSON-LD to quads with the jsonld library; remote contexts are refused. */
export async function parseJsonLd(text: string): Promise<Quad[]> {
  const documentLoader = (url: string): never => {
    throw new Error(`the catalogue must not need a remote context: ${url}`);
  };
  const nquads = (await jsonld.toRDF(
    JSON.parse(text) as jsonld.JsonLdDocument,
    {
      format: "application/n-quads",
      documentLoader,
    } as jsonld.Options.ToRdf,
  )) as unknown as string;
  return new Parser({ format: "N-Quads" }).parse(nquads) as Quad[];
}

/** Parses RDF/XML with rdfxml-streaming-parser. */
export function parseRdfXml(text: string, baseIRI?: string): Promise<Quad[]> {
  const quads: Quad[] = [];
  return new Promise((resolve, reject) => {
    Readable.from([text])
      .pipe(new RdfXmlParser({ baseIRI }))
      .on("data", (q: Quad) => quads.push(q))
      .on("error", reject)
      .on("end", () => resolve(quads));
  });
}

let shapes: Store | undefined;

/** One SHACL result, in words a failing test can print. */
export interface ShaclViolation {
  readonly severity: string;
  readonly focusNode: string;
  readonly path: string;
  readonly message: string;
}

/** Validates a graph against the DCAT-AP 3.0.1 shapes and ranges; returns every result, whatever its severity. */
export async function dcatApResults(quads: readonly Quad[]): Promise<ShaclViolation[]> {
  shapes ??= new Store(
    ["dcat-ap-SHACL.ttl", "ranges.ttl"].flatMap((f) => parseTurtle(readFileSync(new URL(f, SHAPES_DIR), "utf8"))),
  );
  const report = await new SHACLValidator(shapes).validate(new Store([...quads]));
  return report.results.map((r) => ({
    severity: r.severity?.value.replace("http://www.w3.org/ns/shacl#", "") ?? "",
    focusNode: r.focusNode?.value ?? "",
    path: r.path?.value ?? "",
    message: r.message.map((m) => m.value).join(" "),
  }));
}

/** The results of severity Violation: what makes a catalogue invalid. */
export async function dcatApViolations(quads: readonly Quad[]): Promise<ShaclViolation[]> {
  return (await dcatApResults(quads)).filter((r) => r.severity === "Violation");
}
