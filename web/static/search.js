// Search as you type: after a short pause, fetch the same server-rendered search page for
// the typed words and swap in its results and facets; the address bar follows, so the URL
// stays shareable. Without JavaScript the form submits as usual.
(() => {
  const form = document.querySelector("form.searchbox[action='/search']");
  const input = form?.querySelector("input[name=q]");
  const layout = document.querySelector(".search-layout");
  if (!form || !input || !layout) return;
  let timer;
  let last = input.value;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (input.value === last) return;
      last = input.value;
      const url = `/search?${new URLSearchParams(new FormData(form))}`;
      const res = await fetch(url, { headers: { accept: "text/html" }, credentials: "same-origin" });
      if (!res.ok || input.value !== last) return;
      const next = new DOMParser().parseFromString(await res.text(), "text/html").querySelector(".search-layout");
      if (!next) return;
      layout.replaceChildren(...next.childNodes);
      history.replaceState(null, "", url);
      const status = document.getElementById("search-status");
      if (status) status.textContent = document.getElementById("results-h")?.textContent ?? "";
    }, 300);
  });
})();
