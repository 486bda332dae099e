// destek console: staff's flags and note on a customer (docs/console-and-site.md), on the customer
// 360 panel, and the flag list admins define (#/admin/flags). Only staff whose role has the
// `customer_flags` permission get either: the API refuses everyone else, and these parts are
// not drawn for them. Writes carry the version read: a 409 reloads and says so. Imported by
// console.js, which hands in its helpers (`ui`); every text comes from the strings files.

const EMPTY_ROWS = 2; // blank rows the list form offers for new flags

const flagName = (ui, list, code) => {
  const f = list.flags.find((x) => x.code === code);
  if (!f) return code;
  return ui.lang === "en" && f.name_en ? f.name_en : f.name;
};

/** The 360 panel's section: the customer's flags and staff note, with a form for those who
 *  may set them (null for someone without the permission). */
export async function staffMarks(ui, customerId) {
  const { el, say } = ui;
  if (!customerId || !ui.can("customer_flags", "read")) return null;
  const [list, marks] = await Promise.all([ui.api("GET", "/customer-flags"),
    ui.api("GET", `/customers/${encodeURIComponent(customerId)}/flags`)]);
  const shown = el("section", { class: "staff-marks", "aria-label": say("marks_title") },
    el("h3", { text: say("marks_title") }),
    marks.flags.length ? el("ul", { class: "flags" }, marks.flags.map((code) => el("li", { class: `flag f-${code}`, text: flagName(ui, list, code) })))
      : el("p", { class: "sub", text: say("marks_none") }),
    marks.staff_notes ? el("p", { class: "staff-note", text: marks.staff_notes }) : null,
    marks.updated_by ? el("p", { class: "sub", text: say("marks_updated", { who: ui.staffName(marks.updated_by), at: ui.when(marks.updated_at) }) }) : null);
  if (!ui.can("customer_flags", "edit")) return shown;
  const form = el("form", { id: "marks-form", onsubmit: ui.submit(() => {
    const ticked = [...form.querySelectorAll("input[data-flag]")].filter((b) => b.checked).map((b) => b.dataset.flag);
    return ui.api("PUT", `/customers/${encodeURIComponent(customerId)}/flags`, {
      flags: ticked, staff_notes: form.elements.namedItem("staff_notes").value, version: marks.version });
  }, say("marks_saved")) },
  el("fieldset", { class: "checks" }, el("legend", { text: say("marks_flags") }),
    list.flags.map((f) => el("label", {}, el("input", { type: "checkbox", name: "flags", "data-flag": f.code, checked: marks.flags.includes(f.code) }), ` ${flagName(ui, list, f.code)}`))),
  ui.field(say("marks_note"), el("textarea", { name: "staff_notes", rows: 3, text: marks.staff_notes })),
  el("button", { type: "submit", text: say("save") }));
  shown.append(el("details", {}, el("summary", { text: say("marks_edit") }), form));
  return shown;
}

/** #/admin/flags: the flags staff can set, as rows (code, Turkish and English name). */
export async function flagListAdmin(ui) {
  const { el, say } = ui;
  const list = await ui.api("GET", "/customer-flags");
  const table = el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ["code", "name", "name_en"].map((k) => el("th", { scope: "col", text: say(`flags_${k}`) })))),
    el("tbody", {}, list.flags.map((f) => el("tr", {}, el("td", { text: f.code }), el("td", { text: f.name }), el("td", { text: f.name_en || "" })))));
  if (!ui.can("customer_flags", "add")) return table;
  const rows = [...list.flags, ...Array(EMPTY_ROWS).fill(null)];
  const form = el("form", { id: "flags-form", onsubmit: ui.submit(() => {
    const get = (n) => form.elements.namedItem(n);
    const flags = rows.map((_, i) => ({ code: get(`flag${i}_code`).value.trim(), name: get(`flag${i}_name`).value.trim(),
      name_en: get(`flag${i}_name_en`).value.trim() || null })).filter((f) => f.code || f.name);
    return ui.api("PUT", "/customer-flags", { flags, version: list.version });
  }, say("flags_saved")) },
  el("h2", { text: say("flags_edit") }),
  el("p", { class: "sub", text: say("flags_about") }),
  el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ["code", "name", "name_en"].map((k) => el("th", { scope: "col", text: say(`flags_${k}`) })))),
    el("tbody", {}, rows.map((f, i) => {
      const v = f || { code: "", name: "", name_en: "" };
      const label = (k) => `${say("flags_row", { n: i + 1 })} ${say(`flags_${k}`)}`;
      return el("tr", {},
        el("td", {}, el("input", { name: `flag${i}_code`, value: v.code, pattern: "[a-z0-9][a-z0-9_\\-]{0,31}", "aria-label": label("code") })),
        el("td", {}, el("input", { name: `flag${i}_name`, value: v.name, "aria-label": label("name") })),
        el("td", {}, el("input", { name: `flag${i}_name_en`, value: v.name_en || "", "aria-label": label("name_en") })));
    }))),
  el("button", { type: "submit", text: say("save") }));
  return [table, form];
}
