// destek console: macros (docs/macros.md). The #/macros screen keeps shared and personal
// macros (titles and replies in Turkish and English, variables, actions); beside a case a
// picker searches them by title, previews one for the case, inserts its reply into the
// reply box or applies it; a list selection applies one to several cases. Imported by
// console.js, which hands in its helpers (`ui`); every text comes from the strings files
// through ui.say, and macro text reaches the page through textContent only.

import { bulkOutcome } from "./views.js";

const LANGS = ["tr", "en"];
const VARIABLES = ["customer_name", "case_number", "order_number", "tracking_link", "agent_name"];
const STATUSES = ["open", "in_progress", "waiting_customer", "resolved", "closed", "reopened"];
const PRIORITIES = ["low", "normal", "high", "urgent"];
const TYPES = ["complaint", "request", "suggestion", "question"];

const titleOf = (ui, m) => m.title[ui.lang] || m.title.tr || m.title.en || m.id;
/** A variable in words ("kargo takip bağlantısı"), never its code, for the agent to read. */
const variableName = (ui, v) => (VARIABLES.includes(v) ? ui.say(`mac_var_${v}`) : v);

function choice(ui, name, values, current, prefix) {
  const { el, say } = ui;
  return el("select", { name }, [el("option", { value: "", text: say("mac_keep") }),
    ...values.map((v) => el("option", { value: v, selected: v === current, text: say(`${prefix}${v}`) }))]);
}

/** #/macros (and #/macros/<id>, #/macros/new): the list, the editor, the last 30 days' use. */
export async function macrosView(ui, id) {
  const { el, say } = ui;
  const macros = await ui.api("GET", "/macros");
  const sharedEditor = ui.can("shared_macros", "edit");
  const editable = (m) => (m.visibility === "shared" ? sharedEditor : m.owner === ui.me);
  const rows = macros.map((m) => el("tr", { "data-macro": m.id },
    el("td", {}, editable(m) ? el("a", { href: `#/macros/${m.id}`, text: titleOf(ui, m) }) : titleOf(ui, m)),
    el("td", { text: say(`mac_visibility_${m.visibility}`) }),
    el("td", { text: actionSummary(ui, m.actions) }),
    el("td", {}, editable(m) ? el("button", { type: "button", class: "secondary mac-delete", text: say("mac_delete"),
      onclick: async () => {
        try {
          await ui.api("DELETE", `/macros/${m.id}`);
          location.hash = "#/macros";
          await ui.refresh();
          ui.notice(say("mac_deleted"));
        } catch (error) { ui.problem(ui.explain(error)); }
      } }) : null)));
  const list = rows.length
    ? el("table", { class: "list macro-list" },
      el("thead", {}, el("tr", {}, ["title", "visibility", "actions", "delete"].map((k) =>
        el("th", { scope: "col", text: say(`mac_col_${k}`) })))),
      el("tbody", {}, rows))
    : el("p", { class: "empty", text: say("mac_none") });
  const chosen = id && id !== "new" ? macros.find((m) => m.id === id) : null;
  const editor = id ? await macroEditor(ui, chosen, sharedEditor) : null;
  return [
    el("h1", { text: say("mac_title") }),
    el("div", { class: "filters" }, el("a", { class: "button", href: "#/macros/new", text: say("mac_new") })),
    editor, list,
    ui.can("reports", "read") ? await usageBlock(ui, macros) : null,
  ];
}

function actionSummary(ui, a) {
  const { say } = ui;
  const parts = [];
  if (a.status) parts.push(say(`status_${a.status}`));
  if (a.priority) parts.push(say(`priority_${a.priority}`));
  if (a.type) parts.push(say(`type_${a.type}`));
  if (a.category_id) parts.push(ui.categoryName(a.category_id));
  if (a.note) parts.push(say("mac_field_note"));
  if (a.document_ids.length) parts.push(say("mac_documents_n", { n: a.document_ids.length }));
  if ((a.add_tags || []).length) parts.push(say("mac_tags_added", { tags: a.add_tags.join(", ") }));
  if ((a.remove_tags || []).length) parts.push(say("mac_tags_removed", { tags: a.remove_tags.join(", ") }));
  return parts.join(" · ") || "—";
}

async function macroEditor(ui, m, sharedEditor) {
  const { el, say } = ui;
  const a = m ? m.actions : { document_ids: [] };
  const category = await ui.categoryChoice(a.category_id || "");
  category.name = "category_id";
  const documents = ui.can("library", "read")
    ? (await ui.api("GET", "/library/documents").catch(() => [])).filter((d) => d.visibility === "public" && d.status === "ready")
    : [];
  const docChoice = el("select", { name: "document_ids", multiple: true, size: Math.min(5, Math.max(2, documents.length)) },
    documents.map((d) => el("option", { value: d.id, selected: a.document_ids.includes(d.id), text: d.title })));
  const langFields = LANGS.map((lang) => el("fieldset", { class: "lang-panel", "data-lang": lang },
    el("legend", { text: say(`kb_lang_${lang}`) }),
    ui.field(say("mac_field_title"), el("input", { name: `title_${lang}`, maxlength: 200, value: m ? m.title[lang] || "" : "" })),
    ui.field(say("mac_field_body"), el("textarea", { name: `body_${lang}`, rows: 6, text: m && m.body ? m.body[lang] || "" : "" }))));
  const visibilities = sharedEditor ? ["personal", "shared"] : ["personal"];
  const form = el("form", { id: "macro-editor", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    const texts = (prefix) => Object.fromEntries(LANGS.map((l) => [l, f[`${prefix}_${l}`].value.trim()]).filter(([, v]) => v));
    const body = texts("body");
    const actions = { document_ids: [...f.document_ids.selectedOptions].map((o) => o.value) };
    for (const k of ["status", "priority", "type", "category_id"]) if (f[k].value) actions[k] = f[k].value;
    if (f.note.value.trim()) actions.note = f.note.value.trim();
    // tags as typed, separated by commas (the API normalises each: docs/tags-and-fields.md)
    const tagsOf = (control) => control.value.split(",").map((t) => t.trim()).filter(Boolean);
    actions.add_tags = tagsOf(f.add_tags);
    actions.remove_tags = tagsOf(f.remove_tags);
    // conditions are kept as they are (set through the API: docs/macros.md)
    const macro = { title: texts("title"), body: Object.keys(body).length ? body : null,
      visibility: f.visibility.value, conditions: m ? m.conditions : [], actions };
    try {
      const saved = m ? await ui.api("PUT", `/macros/${m.id}`, { ...macro, version: m.version })
        : await ui.api("POST", "/macros", macro);
      location.hash = `#/macros/${saved.id}`;
      await ui.refresh();
      ui.notice(say("mac_saved"));
    } catch (error) { ui.problem(ui.explain(error)); }
  } },
    el("h2", { text: m ? titleOf(ui, m) : say("mac_new") }),
    el("p", { class: "hint", text: say("mac_variables", { names: VARIABLES.map((v) => `{{${v}}}`).join(" ") }) }),
    ...langFields,
    ui.field(say("mac_col_visibility"), el("select", { name: "visibility" }, visibilities.map((v) =>
      el("option", { value: v, selected: m ? m.visibility === v : v === "personal", text: say(`mac_visibility_${v}`) })))),
    el("fieldset", { class: "macro-actions" }, el("legend", { text: say("mac_col_actions") }),
      ui.field(say("col_status"), choice(ui, "status", STATUSES, a.status, "status_")),
      ui.field(say("col_priority"), choice(ui, "priority", PRIORITIES, a.priority, "priority_")),
      ui.field(say("mac_field_type"), choice(ui, "type", TYPES, a.type, "type_")),
      ui.field(say("col_category"), category),
      ui.field(say("mac_field_note"), el("textarea", { name: "note", rows: 3, text: a.note || "" })),
      ui.field(say("mac_field_documents"), docChoice),
      ui.field(say("mac_field_add_tags"), el("input", { name: "add_tags", value: (a.add_tags || []).join(", "), "aria-describedby": "mac-tags-hint" })),
      ui.field(say("mac_field_remove_tags"), el("input", { name: "remove_tags", value: (a.remove_tags || []).join(", "), "aria-describedby": "mac-tags-hint" })),
      el("p", { id: "mac-tags-hint", class: "hint", text: say("mac_tags_hint") })),
    el("button", { type: "submit", text: say("mac_save") }));
  return form;
}

async function usageBlock(ui, macros) {
  const { el, say } = ui;
  const day = (d) => d.toISOString().slice(0, 10);
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86400000);
  const rows = await ui.api("GET", `/reports/macros/usage?from=${day(from)}&to=${day(to)}`).catch(() => []);
  const totals = new Map();
  for (const r of rows) totals.set(r.macro_id, { title: r.title, n: (totals.get(r.macro_id) || { n: 0 }).n + r.applied });
  const named = new Map(macros.map((m) => [m.id, titleOf(ui, m)]));
  const items = [...totals.entries()].sort((x, y) => y[1].n - x[1].n);
  return el("section", { class: "macro-usage" }, el("h2", { text: say("mac_usage") }),
    items.length ? el("table", { class: "list" }, el("tbody", {}, items.map(([mid, t]) =>
      el("tr", { "data-macro": mid }, el("td", { text: named.get(mid) || t.title || mid }), el("td", { class: "count", text: String(t.n) })))))
      : el("p", { class: "empty", text: say("mac_usage_none") }));
}

/** Beside a case: search the macros by title, preview one for this case, insert its reply
 *  into the reply box or apply it (reply, note, fields, status, documents in one change). */
export function caseMacros(ui, c, replyForm, post) {
  const { el, say } = ui;
  if (c.status === "closed") return null;
  const box = el("section", { class: "case-macros", "aria-label": say("mac_case_title") }, el("h2", { text: say("mac_case_title") }));
  const search = el("input", { type: "search", name: "macro_search", placeholder: say("mac_search"), "aria-label": say("mac_search") });
  const picker = el("select", { name: "macro", "aria-label": say("mac_case_title") });
  const shown = el("div", { class: "macro-preview", hidden: true, "aria-live": "polite" });
  let all = [];
  const fill = () => {
    const words = search.value.trim().toLocaleLowerCase(ui.lang);
    const found = all.filter((m) => !words || `${m.title.tr || ""} ${m.title.en || ""}`.toLocaleLowerCase(ui.lang).includes(words));
    picker.replaceChildren(...found.map((m) => el("option", { value: m.id, text: titleOf(ui, m) })));
  };
  search.addEventListener("input", fill);
  const preview = async () => {
    if (!picker.value) { ui.problem(say("mac_choose")); return; }
    try {
      const r = await ui.api("GET", `/cases/${c.id}/macros/${picker.value}/preview`);
      // a reply lacking a value is never sent (the API refuses it: 422 macro_values_missing);
      // the agent may still insert it into the reply box and fill the gap by hand
      const replyGaps = r.reply_missing || [];
      const noteGaps = r.missing.filter((v) => !replyGaps.includes(v));
      const words = (names) => names.map((v) => variableName(ui, v)).join(", ");
      // replaceChildren writes a null as the text "null": the parts not shown are dropped
      shown.replaceChildren(...[
        r.reply ? el("pre", { class: "body macro-reply", text: r.reply }) : null,
        r.note ? el("p", { class: "macro-note" }, `${say("mac_field_note")}: `, el("span", { text: r.note })) : null,
        el("p", { class: "macro-actions-line", text: `${say("mac_col_actions")}: ${actionSummary(ui, r.actions)}` }),
        replyGaps.length ? el("p", { class: "flag mac-reply-missing", role: "note", text: say("mac_reply_missing", { names: words(replyGaps) }) }) : null,
        noteGaps.length ? el("p", { class: "flag mac-note-missing", role: "note", text: say("mac_missing", { names: words(noteGaps) }) }) : null,
        r.applicable ? null : el("p", { class: "flag mac-not-applicable", role: "note", text: say("mac_not_applicable") }),
        r.reply && replyForm ? el("button", { type: "button", class: "secondary mac-insert", text: say("mac_insert"), onclick: () => {
          const area = replyForm.elements.body;
          area.value = area.value.trim() ? `${area.value.trim()}\n\n${r.reply}` : r.reply;
          area.focus();
          ui.notice(say("mac_inserted"));
        } }) : null,
        r.applicable && !replyGaps.length ? el("button", { type: "button", class: "mac-apply", text: say("mac_apply"),
          onclick: ui.act(c.id, () => post(`/macros/${r.macro_id}/apply`, { send: true }), say("mac_applied")) }) : null,
      ].filter(Boolean));
      shown.hidden = false;
    } catch (error) { ui.problem(ui.explain(error)); }
  };
  box.append(el("div", { class: "filters" }, search, picker,
    el("button", { type: "button", class: "secondary mac-preview", text: say("mac_preview"), onclick: preview })), shown);
  ui.api("GET", "/macros").then((found) => { all = found; fill(); })
    .catch((error) => box.append(el("p", { class: "empty", text: ui.explain(error) })));
  return box;
}

/** Under a case list with selection: apply one macro to the chosen cases, each case's outcome
 *  said as the other bulk forms say theirs (views.js bulkOutcome: the refusals counted per
 *  reason, in words). */
export async function bulkMacroForm(ui, table) {
  const { el, say } = ui;
  const macros = await ui.api("GET", "/macros").catch(() => []);
  if (!macros.length) return null;
  return el("form", { class: "bulk bulk-macro", onsubmit: async (event) => {
    event.preventDefault();
    const chosen = [...table.querySelectorAll("input[name=pick]:checked")];
    if (!chosen.length) { ui.problem(say("choose_some")); return; }
    try {
      const answer = await ui.api("POST", "/macro-applications", { macro_id: event.target.macro.value, send: true,
        cases: chosen.map((b) => ({ case_id: b.value, version: Number(b.dataset.version) })) });
      await ui.refresh();
      bulkOutcome(ui, answer.results, { done: "mac_bulk_done", some: "mac_bulk_some", none: "mac_bulk_none" });
    } catch (error) { ui.problem(ui.explain(error)); }
  } }, ui.field(say("mac_case_title"), el("select", { name: "macro" }, macros.map((m) => el("option", { value: m.id, text: titleOf(ui, m) })))),
  el("button", { type: "submit", text: say("mac_bulk_apply") }));
}
