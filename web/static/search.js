// Search as you type: after a short pause, fetch the same server-rendered search page for
// the typed words and swap in its results and facets; the address bar follows, so the URL
// stays shareable, and the feed announced in the head is the typed search's. A new sort
// order applies at once. On wide screens the filters' disclosure is marked open (the
// stylesheet already shows it there), so assistive technology hears what is seen.
// Without JavaScript the form submits as usual.
(() => {
  const form = document.querySelector("form.searchbox[action='/search']");
  const input = form?.querySelector("input[name=q]");
  const sort = form?.querySelector("select[name=sort]");
  const layout = document.querySelector(".search-layout");
  if (!form || !input || !layout) return;
  const wide = window.matchMedia("(min-width: 50.01rem)");
  let open = false;
  const showFilters = () => {
    const details = layout.querySelector("details.filters");
    if (details) details.open = wide.matches || open;
  };
  layout.addEventListener(
    "toggle",
    (event) => {
      if (!wide.matches && event.target.matches?.("details.filters")) open = event.target.open;
    },
    true,
  );
  wide.addEventListener("change", showFilters);
  showFilters();
  let timer;
  let last = `${new URLSearchParams(new FormData(form))}`;
  const refresh = async () => {
    const query = `${new URLSearchParams(new FormData(form))}`;
    if (query === last) return;
    last = query;
    const url = `/search?${query}`;
    const res = await fetch(url, { headers: { accept: "text/html" }, credentials: "same-origin" });
    if (!res.ok || query !== last) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const next = doc.querySelector(".search-layout");
    if (!next) return;
    layout.replaceChildren(...next.childNodes);
    // The page's feed (announced in <head> for feed readers) and title follow the words too.
    const feeds = "link[rel=alternate][type='application/atom+xml']";
    for (const link of document.head.querySelectorAll(feeds)) link.remove();
    document.head.append(...doc.head.querySelectorAll(feeds));
    document.title = doc.title;
    showFilters();
    history.replaceState(null, "", url);
    const status = document.getElementById("search-status");
    if (status) status.textContent = document.getElementById("results-h")?.textContent ?? "";
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  sort?.addEventListener("change", () => {
    clearTimeout(timer);
    void refresh();
  });
})();
