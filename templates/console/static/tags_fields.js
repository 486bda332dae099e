// destek console: tags and custom case fields (docs/tags-and-fields.md). Beside a case: its
// tags as chips (each removable) with an input that suggests tags in use as one types, and
// the custom fields of its type as a form (text, number, date, a list, a checkbox; those
// required to resolve marked). #/admin/fields keeps the field definitions (forms, not JSON).
// A list selection tags several cases at once. Imported by console.js, which hands in its
// helpers (`ui`); every text comes from the strings files through ui.say, and tags and values
// reach the page through textContent only.

import { bulkOutcome } from "./views.js";

const KINDS = ["text", "number", "date", "list", "checkbox"];
const TYPES = ["complaint", "request", "suggestion", "question"];
const OPTION_ROWS = 2; // empty option rows a list field's form offers besides its own

const labelOf = (ui, f) => (ui.lang === "en" ? f.label_en : f.label_tr);

/** Fills `list` (a <datalist>) with the tags in use that start with what `input` holds. */
function suggestInto(ui, input, list) {
  let asked = 0;
  input.addEventListener("input", async () => {
    const typed = input.value.trim();
    const call = ++asked;
    if (!typed) { list.replaceChildren(); return; }
    const found = await ui.api("GET", `/tags?q=${encodeURIComponent(typed)}&limit=10`).catch(() => []);
    if (call !== asked) return; // a later keystroke's answer wins
    list.replaceChildren(...found.map((t) => ui.el("option", { value: t.tag, label: ui.say("tag_in_use", { n: t.cases }) })));
  });
}

/** The case's tags and custom fields; `definitions`: GET /case-fields (none: no fields). */
export function caseTagsFields(ui, c, definitions, post) {
  const { el, say } = ui;
  const editable = ui.can("cases", "edit") && c.status !== "closed";
  const chips = el("ul", { class: "tag-chips", "aria-label": say("tags") }, c.tags.map((tag) => el("li", { class: "tag-chip", "data-tag": tag },
    el("span", { text: tag }),
    editable ? el("button", { type: "button", class: "tag-remove", "aria-label": say("tag_remove", { tag }), text: "×",
      onclick: ui.act(c.id, () => post("/tags", { remove: [tag] }), say("tags_saved")) }) : null)));
  const tags = el("section", { class: "case-tags", "aria-labelledby": "case-tags-h" },
    el("h2", { id: "case-tags-h", text: say("tags") }),
    c.tags.length ? chips : el("p", { class: "empty", text: say("tags_none") }));
  if (editable) {
    const input = el("input", { name: "tag", list: "tag-suggestions", autocomplete: "off", maxlength: 64 });
    const list = el("datalist", { id: "tag-suggestions" });
    suggestInto(ui, input, list);
    tags.append(el("form", { class: "tag-form", onsubmit: ui.act(c.id, (e) => post("/tags", { add: [e.target.tag.value] }), say("tags_saved")) },
      ui.field(say("tag_add"), input), list, el("button", { type: "submit", text: say("tag_add_button") })));
  }
  const own = definitions.filter((f) => !f.case_types.length || f.case_types.includes(c.type));
  if (!own.length) return [tags];
  const form = el("form", { class: "custom-fields-form", novalidate: true, onsubmit: ui.act(c.id, async (e) => {
    const values = {};
    for (const f of own) {
      const value = valueOf(e.target.elements.namedItem(`cf_${f.key}`), f);
      if (value !== (c.custom_fields[f.key] ?? null)) values[f.key] = value;
    }
    if (!Object.keys(values).length) return;
    try {
      await ui.api("PUT", `/cases/${c.id}/custom-fields`, { version: c.version, values });
    } catch (error) {
      markFields(ui, e.target, error);
      throw error;
    }
  }, say("custom_fields_saved")) },
  el("h2", { text: say("custom_fields") }),
  own.map((f) => ui.field(labelOf(ui, f) + (f.required_at_resolve ? ` (${say("cf_required_short")})` : ""),
    control(ui, f, c.custom_fields[f.key], editable))),
  editable ? el("button", { type: "submit", text: say("custom_fields_save") }) : null);
  return [tags, form];
}

function control(ui, f, value, editable) {
  const { el, say } = ui;
  const name = `cf_${f.key}`;
  const props = { name, disabled: !editable, "data-kind": f.kind, "aria-required": f.required_at_resolve ? "true" : null };
  if (f.kind === "list") {
    return el("select", props, [el("option", { value: "", text: "—" }),
      ...f.options.map((o) => el("option", { value: o.value, selected: o.value === value, text: ui.lang === "en" ? o.label_en : o.label_tr }))]);
  }
  if (f.kind === "checkbox") return el("input", { ...props, type: "checkbox", checked: value === true });
  const type = { text: "text", number: "number", date: "date" }[f.kind];
  return el("input", { ...props, type, value: value ?? "", step: f.kind === "number" ? "any" : null,
    maxlength: f.kind === "text" ? 500 : null, title: f.kind === "date" ? say("cf_date_hint") : null });
}

function valueOf(control, f) {
  if (f.kind === "checkbox") return control.checked;
  const raw = control.value.trim();
  if (!raw) return null;
  if (f.kind === "number") return Number.isFinite(Number(raw)) ? Number(raw) : raw; // the API says what is wrong
  return raw;
}

/** A 422 `invalid_custom_fields` marks each field in error beside its control. */
function markFields(ui, form, error) {
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  const errors = (error && error.details && error.details.errors) || [];
  for (const e of errors) {
    const control = form.elements.namedItem(`cf_${e.key}`);
    if (!control) continue;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", `cf_${e.key}-error`);
    control.after(ui.el("span", { class: "field-error", id: `cf_${e.key}-error`, text: ui.say(ui.has(`cf_error_${e.code}`) ? `cf_error_${e.code}` : "problem_generic") }));
  }
}

/** Under a list whose rows can be chosen: add or remove a tag on each chosen case. */
export function bulkTagForm(ui, table) {
  const { el, say } = ui;
  const input = el("input", { name: "tag", list: "bulk-tag-suggestions", autocomplete: "off", maxlength: 64, required: true });
  const list = el("datalist", { id: "bulk-tag-suggestions" });
  suggestInto(ui, input, list);
  return el("form", { class: "bulk bulk-tags", onsubmit: async (event) => {
    event.preventDefault();
    const chosen = [...table.querySelectorAll("input[name=pick]:checked")];
    if (!chosen.length) { ui.problem(say("choose_some")); return; }
    const how = event.submitter && event.submitter.value === "remove" ? "remove" : "add";
    try {
      const answer = await ui.api("POST", "/case-tag-applications", { [how]: [input.value],
        cases: chosen.map((b) => ({ case_id: b.value, version: Number(b.dataset.version) })) });
      await ui.refresh();
      bulkOutcome(ui, answer.results, { done: "tags_bulk_done", some: "tags_bulk_some", none: "tags_bulk_none" });
    } catch (error) { ui.problem(ui.explain(error)); }
  } }, ui.field(say("tags_bulk"), input), list,
  el("button", { type: "submit", name: "how", value: "add", text: say("tag_add_button") }),
  el("button", { type: "submit", name: "how", value: "remove", class: "secondary", text: say("tag_remove_button") }));
}

/** A list's tag filter: `#/<view>?tag=...` keeps it in the address (and the list asks for it). */
export function tagFilterForm(ui, current) {
  const { el, say } = ui;
  const input = el("input", { name: "tag", list: "filter-tag-suggestions", autocomplete: "off", maxlength: 64, value: current || "" });
  const list = el("datalist", { id: "filter-tag-suggestions" });
  suggestInto(ui, input, list);
  return el("form", { class: "filters tag-filter", role: "search", onsubmit: (event) => {
    event.preventDefault();
    const [path, query] = location.hash.split("?");
    const params = new URLSearchParams(query || "");
    if (input.value.trim()) params.set("tag", input.value.trim()); else params.delete("tag");
    location.hash = `${path}${params.toString() ? `?${params}` : ""}`;
  } }, ui.field(say("filter_tag"), input), list, el("button", { type: "submit", text: say("filter_apply") }));
}

// ---- #/admin/fields: the custom field definitions ---------------------------------------------

/** The definitions as a table and the chosen one's form (`?edit=<key>`, or a new one). */
export async function caseFieldsAdmin(ui) {
  const { el, say } = ui;
  const fields = await ui.api("GET", "/case-fields");
  const editKey = new URLSearchParams(location.hash.split("?")[1] || "").get("edit");
  const chosen = fields.find((f) => f.key === editKey) || null;
  const editable = ui.can("case_fields", chosen ? "edit" : "add");
  const table = fields.length ? el("table", { class: "list case-field-list" },
    el("thead", {}, el("tr", {}, ["key", "label", "kind", "types", "required", "public"].map((k) => el("th", { scope: "col", text: say(`cf_col_${k}`) })))),
    el("tbody", {}, fields.map((f) => el("tr", { "data-field": f.key },
      el("td", {}, ui.can("case_fields", "edit") ? el("a", { href: `#/admin/fields?edit=${encodeURIComponent(f.key)}`, text: f.key }) : f.key),
      el("td", { text: labelOf(ui, f) }),
      el("td", { text: say(`cf_kind_${f.kind}`) }),
      el("td", { text: f.case_types.length ? f.case_types.map((t) => say(`type_${t}`)).join(", ") : say("cf_all_types") }),
      el("td", { text: say(f.required_at_resolve ? "yes" : "no") }),
      el("td", { text: say(f.public ? "yes" : "no") })))))
    : el("p", { class: "empty", text: say("cf_none") });
  const another = chosen && ui.can("case_fields", "add") ? el("p", {}, el("a", { href: "#/admin/fields", text: say("cf_new") })) : null;
  return [table, another, editable ? fieldForm(ui, chosen) : null];
}

function fieldForm(ui, f) {
  const { el, say } = ui;
  const options = [...(f ? f.options : []), ...Array.from({ length: OPTION_ROWS }, () => null)];
  const form = el("form", { id: "case-field-form", novalidate: true, onsubmit: ui.submit(async () => {
    const get = (n) => form.elements.namedItem(n);
    const kind = f ? f.kind : get("kind").value;
    const body = {
      key: f ? f.key : get("key").value.trim(), label_tr: get("label_tr").value.trim(), label_en: get("label_en").value.trim(), kind,
      options: kind === "list" ? options.map((_, i) => ({ value: get(`option${i}_value`).value.trim(),
        label_tr: get(`option${i}_label_tr`).value.trim(), label_en: get(`option${i}_label_en`).value.trim() })).filter((o) => o.value) : [],
      case_types: TYPES.filter((t) => get(`type_${t}`).checked),
      required_at_resolve: get("required_at_resolve").checked, public: get("public").checked,
    };
    if (f) await ui.api("PUT", `/case-fields/${encodeURIComponent(f.key)}`, { ...body, version: f.version });
    else await ui.api("POST", "/case-fields", body);
    location.hash = `#/admin/fields?edit=${encodeURIComponent(body.key)}`;
  }, say("cf_saved")) },
  el("h2", { text: f ? say("cf_edit", { key: f.key }) : say("cf_new") }),
  ui.field(say("cf_col_key"), el("input", { name: "key", required: true, pattern: "[a-z][a-z0-9_]{0,39}", value: f ? f.key : "", readonly: Boolean(f),
    "aria-describedby": "cf-key-hint" })),
  el("p", { id: "cf-key-hint", class: "hint", text: say("cf_key_hint") }),
  ui.field(say("cf_label_tr"), el("input", { name: "label_tr", required: true, maxlength: 200, value: f ? f.label_tr : "" })),
  ui.field(say("cf_label_en"), el("input", { name: "label_en", required: true, maxlength: 200, value: f ? f.label_en : "" })),
  ui.field(say("cf_col_kind"), el("select", { name: "kind", disabled: Boolean(f) }, KINDS.map((k) => el("option", { value: k, selected: f ? f.kind === k : k === "text", text: say(`cf_kind_${k}`) })))),
  el("fieldset", { class: "cf-options" }, el("legend", { text: say("cf_options") }),
    el("p", { class: "hint", text: say("cf_options_hint") }),
    options.map((o, i) => el("div", { class: "cf-option-row" },
      ui.field(say("cf_option_value"), el("input", { name: `option${i}_value`, value: o ? o.value : "", maxlength: 64 })),
      ui.field(say("cf_label_tr"), el("input", { name: `option${i}_label_tr`, value: o ? o.label_tr : "", maxlength: 200 })),
      ui.field(say("cf_label_en"), el("input", { name: `option${i}_label_en`, value: o ? o.label_en : "", maxlength: 200 }))))),
  el("fieldset", {}, el("legend", { text: say("cf_col_types") }),
    el("p", { class: "hint", text: say("cf_types_hint") }),
    TYPES.map((t) => el("label", { class: "check" }, el("input", { type: "checkbox", name: `type_${t}`, checked: Boolean(f && f.case_types.includes(t)) }), ` ${say(`type_${t}`)}`))),
  el("label", { class: "check" }, el("input", { type: "checkbox", name: "required_at_resolve", checked: Boolean(f && f.required_at_resolve) }), ` ${say("cf_required")}`),
  el("label", { class: "check" }, el("input", { type: "checkbox", name: "public", checked: Boolean(f && f.public) }), ` ${say("cf_public")}`),
  el("button", { type: "submit", text: say("save") }),
  f && ui.can("case_fields", "delete") ? el("button", { type: "button", class: "danger", text: say("delete"),
    onclick: ui.submit(async () => {
      await ui.api("DELETE", `/case-fields/${encodeURIComponent(f.key)}`);
      location.hash = "#/admin/fields";
    }, say("deleted")) }) : null);
  return form;
}
