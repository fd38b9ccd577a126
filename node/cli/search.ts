import type { Command } from "commander";
import { ApiError, createApiClient, DEFAULT_NODE_URL } from "./api-client.ts";

// `wego search`: asks a running node's `GET /api/search` and prints the hits.

/** What `GET /api/search` answers (the part the CLI prints). */
interface SearchAnswer {
  readonly total: number;
  readonly results: readonly {
    id: string;
    type: string;
    title: string;
    city: string;
    origin: string;
    local: boolean;
    verified: boolean;
    snippet?: string;
  }[];
}

/** The flags of `wego search`. */
interface SearchFlags {
  readonly url: string;
  readonly type?: string;
  readonly city?: string;
  readonly tag?: string;
  readonly lang?: string;
  readonly limit?: string;
  readonly sort?: string;
  readonly json?: boolean;
}

/** The hits as numbered blocks: title; type, city and where it came from; id; snippet. */
function formatResults(answer: SearchAnswer): string {
  let out = `${answer.total} result${answer.total === 1 ? "" : "s"}\n`;
  answer.results.forEach((r, i) => {
    const where = r.local ? "local" : `from ${new URL(r.origin).host}${r.verified ? ", verified" : ""}`;
    out += `\n${i + 1}. ${r.title}\n   ${r.type} · ${r.city} · ${where}\n   ${r.id}\n`;
    // Snippets are HTML: show <mark> as *word* and undo the escaping.
    const text = (r.snippet ?? "")
      .replace(/<\/?mark>/g, "*")
      .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
    if (text) out += `   ${text}\n`;
  });
  return out;
}

/** Adds `wego search QUERY` to the program. */
export function registerSearchCommand(program: Command): void {
  program
    .command("search")
    .description("search a running node's library: its own items and its peers' verified ones")
    .argument("<query>", 'lunr syntax: words, +required, -excluded, title:word, prefix*; "" browses newest first')
    .option("--url <url>", "the node to ask", DEFAULT_NODE_URL)
    .option("--type <type>", "CaseStudy, Pathway, Dataset or Adoption")
    .option("--city <city>", "only items of this city")
    .option("--tag <tag>", "only items with this tag or theme")
    .option("--lang <tag>", "only items written or translated in this language, e.g. ko")
    .option("--limit <n>", "how many results (default 20, at most 100)")
    .option("--sort <order>", "relevance (default), newest or oldest (by the item's year, then last update), or title")
    .option("--json", "print the API's JSON answer")
    .action(async (query: string, opts: SearchFlags) => {
      const api = createApiClient({ url: opts.url });
      const answer = await api.get<SearchAnswer>("/api/search", {
        q: query,
        type: opts.type,
        city: opts.city,
        tag: opts.tag,
        lang: opts.lang,
        limit: opts.limit,
        sort: opts.sort,
      });
      if (!Array.isArray(answer.results))
        throw new ApiError(`${api.base.origin} did not answer a search`, api.base.href, 200);
      process.stdout.write(opts.json ? `${JSON.stringify(answer)}\n` : formatResults(answer));
    });
}
