// Rows added and removed in place: "Add another" copies the list's <template> row (its index
// placeholder replaced by the next free index, so the names stay `/outcomes/3/metric`), and
// "Remove" takes the row out, both without a page load. Without JavaScript the same buttons
// submit the form and the server draws it again with the row added or removed.
(() => {
  const form = document.querySelector("form.item-form");
  if (!form) return;
  const status = document.getElementById("form-status");

  function say(template, row, n) {
    if (!status || !template) return;
    status.textContent = template.replace("{row}", row).replace("{n}", String(n));
  }

  function listOf(container) {
    return container.querySelector(":scope > .row-list");
  }

  function rowsOf(container) {
    return [...listOf(container).children].filter((el) => el.matches("fieldset.row"));
  }

  // Rows are numbered by position: "Result 1", "Result 2", … (the remove button says which).
  function renumber(container) {
    rowsOf(container).forEach((row, i) => {
      for (const span of row.querySelectorAll(":scope > legend .row-number, :scope > .row-remove .row-number"))
        span.textContent = String(i + 1);
    });
  }

  function addRow(container) {
    const template = container.querySelector(":scope > template[data-row-template]");
    if (!template) return;
    const indices = rowsOf(container)
      .map((row) => Number(row.dataset.index))
      .filter(Number.isInteger);
    const index = indices.length ? Math.max(...indices) + 1 : 0;
    // The template's markup was escaped by the server and holds no entered values.
    const markup = template.innerHTML.split(template.dataset.rowTemplate).join(String(index));
    listOf(container).insertAdjacentHTML("beforeend", markup);
    renumber(container);
    const row = listOf(container).lastElementChild;
    // A new phase brings its first step: number the lists inside the new row too.
    for (const inner of row?.querySelectorAll("fieldset.rows") ?? []) renumber(inner);
    row?.querySelector("input, select, textarea")?.focus();
    say(form.dataset.rowAdded, container.dataset.rowName, rowsOf(container).length);
  }

  function removeRow(container, row) {
    row.remove();
    renumber(container);
    container.querySelector(":scope > .row-add button")?.focus();
    say(form.dataset.rowRemoved, container.dataset.rowName, 0);
  }

  form.addEventListener("click", (event) => {
    const button =
      event.target instanceof Element ? event.target.closest("button[data-add-row], button[data-remove-row]") : null;
    const container = button?.closest("fieldset.rows");
    if (!button || !container) return;
    event.preventDefault();
    if (button.hasAttribute("data-add-row")) addRow(container);
    else {
      const row = button.closest("fieldset.row");
      if (row) removeRow(container, row);
    }
  });
})();
