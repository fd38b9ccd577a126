// The layers of node/ and web/, checked by `npm run deps` (part of `npm test`).
// Modules depend one way: db <- library <- federation, search <- outputs (library and search) <- http <- app <- main (and the CLI);
// signing, render and the utilities (net, auth, log.ts, config.ts) depend on no domain module.
// Type-only imports count: a cycle through types still ties two modules together.
// Why this tool and these exemptions: docs/adr/0006.

/** Entry points and the composition root: nothing below them may import them. */
const TOP = "^node/(app|main|demo|cli[^/]*)(\\.ts$|/)";

/** Tests may assemble the layers above the unit they test (e.g. build the app to drive a router). */
const TESTS = "(\\.test\\.ts|^node/test-support\\.ts)$";

/** A layer rule: files under `from` (tests aside) import nothing from the `below` folders of node/, nor the top. */
function layer(name, comment, from, below) {
  const to = below.length > 0 ? `^node/(${below.join("|")})/|${TOP}` : TOP;
  return { name, comment, severity: "error", from: { path: from, pathNot: TESTS }, to: { path: to } };
}

/** The domain modules, bottom first. */
const DOMAIN = ["db", "library", "federation", "search", "outputs", "http"];

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No import cycle in node/ or web/, type-only imports included.",
      severity: "error",
      from: { path: "^(node|web)/" },
      to: { circular: true },
    },
    layer("db-is-the-bottom", "node/db imports no module above it.", "^node/db/", DOMAIN.slice(1)),
    layer(
      "library-below-federation-search",
      "node/library imports no federation, search, outputs or http.",
      "^node/library/",
      ["federation", "search", "outputs", "http"],
    ),
    // federation and search sit side by side: neither needs the other today, so neither may.
    layer("federation-below-http", "node/federation imports no search, outputs or http.", "^node/federation/", [
      "search",
      "outputs",
      "http",
    ]),
    layer("search-below-http", "node/search imports no federation, outputs or http.", "^node/search/", [
      "federation",
      "outputs",
      "http",
    ]),
    // outputs (the DCAT catalogue, the sitemap, exports of a search) read the library and the
    // search and write other formats; http serves them.
    layer("outputs-below-http", "node/outputs imports no federation or http.", "^node/outputs/", [
      "federation",
      "http",
    ]),
    layer("http-below-app", "node/http imports no app, main or CLI.", "^node/http/", []),
    layer(
      "signing-render-no-domain",
      "node/signing and node/render know no domain module.",
      "^node/(signing|render)/",
      DOMAIN,
    ),
    layer(
      "utilities-no-domain",
      "net, auth, log.ts and config.ts import no domain module.",
      "^node/(net/|auth/|log\\.ts$|config\\.ts$)",
      DOMAIN,
    ),
    layer("web-is-views", "web/ (templates, forms, locales) is views only.", "^web/", [
      "http",
      "outputs",
      "federation",
      "db",
      "search",
    ]),
    {
      name: "no-test-support-in-production",
      comment: "Test helpers and fixtures (test-support.ts, test-fixtures.ts) are imported by tests only.",
      severity: "error",
      from: { path: "^(node|web)/", pathNot: `${TESTS}|/test-(support|fixtures)\\.ts$` },
      to: { path: "/test-(support|fixtures)\\.ts$" },
    },
    {
      name: "node-not-federation-tests",
      comment: "node/ (its tests included) never imports the black-box suite.",
      severity: "error",
      from: { path: "^node/" },
      to: { path: "^federation-tests/" },
    },
  ],
  options: {
    // Only our own sources: packages are not followed, so the check takes seconds.
    includeOnly: "^(node|web|federation-tests|schemas|seeds|bin)/",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".mjs", ".js", ".json"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
