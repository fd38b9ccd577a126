// Live Markdown preview: after a pause in typing, the server renders and sanitizes the
// text (the same renderer the item page uses) and the preview box shows the result.
// Without JavaScript, the form's Preview buttons do the same with a full page round trip.
(() => {
  const form = document.querySelector("form.item-form");
  if (!form) return;
  const token = form.querySelector("input[name=_csrf]")?.value ?? "";
  for (const area of form.querySelectorAll("textarea[data-preview]")) {
    const box = document.getElementById(area.dataset.preview);
    if (!box) continue;
    let timer;
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const body = new URLSearchParams({ markdown: area.value, _csrf: token });
        const res = await fetch("/official/preview", { method: "POST", body, credentials: "same-origin" });
        if (!res.ok) return;
        box.innerHTML = await res.text(); // sanitized by the server
        box.hidden = area.value.trim() === "";
      }, 400);
    });
  }
})();
