// The console's only script: adds rows and groups to the query builder, asks before deleting.
// Every page works without it; it only saves a round trip.
"use strict";

function renumber(row, group, index) {
  for (const field of row.querySelectorAll("input, select")) {
    field.name = field.name.replace(/^g\d+\.r\d+\./, `g${group}.r${index}.`);
  }
}

function addRow(fieldset) {
  const rows = fieldset.querySelectorAll(".row");
  const copy = rows[rows.length - 1].cloneNode(true);
  for (const input of copy.querySelectorAll("input")) input.value = "";
  renumber(copy, fieldset.dataset.group, rows.length);
  rows[rows.length - 1].after(copy);
}

function addGroup(form) {
  const groups = form.querySelectorAll("fieldset.group");
  const copy = groups[groups.length - 1].cloneNode(true);
  const index = groups.length;
  copy.dataset.group = String(index);
  copy.querySelector("legend").firstChild.textContent = `Query ${index + 1}: customers matching `;
  copy.querySelector("legend select").name = `g${index}.conj`;
  copy.querySelectorAll(".row").forEach((row, n) => { if (n > 0) row.remove(); });
  const row = copy.querySelector(".row");
  for (const input of row.querySelectorAll("input")) input.value = "";
  renumber(row, index, 0);
  groups[groups.length - 1].after(copy);
}

document.addEventListener("click", (event) => {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return;
  if (target.classList.contains("add-row")) addRow(target.closest("fieldset"));
  if (target.id === "add-group") addGroup(target.closest("form"));
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
