// @graphy/content.xml.scribe ships no types: the part of it the catalogue uses.
declare module "@graphy/content.xml.scribe" {
  import type { Transform } from "node:stream";
  import type { Quad } from "@rdfjs/types";

  /** Options of the RDF/XML scribe. */
  interface ScribeConfig {
    /** Namespace prefixes declared on rdf:RDF. */
    readonly prefixes?: Record<string, string>;
  }

  /** A transform that takes RDF/JS quads and gives RDF/XML text. */
  interface RdfXmlScribe extends Transform {
    write(quad: Quad): boolean;
  }

  /** Creates an RDF/XML scribe. */
  export default function createRdfXmlScribe(config?: ScribeConfig): RdfXmlScribe;
}
