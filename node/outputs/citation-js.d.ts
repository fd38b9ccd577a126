// citation-js ships no types: the little of @citation-js/core that citation.ts uses.
declare module "@citation-js/core" {
  /** A set of references (CSL-JSON inside), formatted by the loaded plugins. */
  export class Cite {
    constructor(data: unknown);
    format(format: string, options?: Record<string, unknown>): unknown;
  }
  /** The plugin registry; `config.get("@bibtex")` is the BibTeX plugin's mutable settings. */
  export const plugins: { config: { get(name: string): unknown } };
}
declare module "@citation-js/plugin-bibtex";
declare module "@citation-js/plugin-ris";
declare module "@citation-js/plugin-csl";
declare module "astrocite-ris" {
  /** Parses RIS text into CSL-JSON records. */
  export function parse(text: string): Record<string, unknown>[];
}
