// destek console: checklists and the e-library (docs/checklists-and-library.md). On a case
// screen: the checklists the case follows or matches, each step a checkbox (a tick is a
// change of the case, recorded in its history), and a form to send public library documents
// to the customer as expiring links. #/checklists: every checklist with how often each step
// was skipped at resolution, and a form to add one. Imported by console.js, which hands in
// its helpers (`ui`); every text comes from the strings files through ui.say.

/** The case screen's checklists and documents, below the case (null when there is neither). */
export async function caseExtras(ui, view) {
  const c = view.case;
  const [lists, documents] = await Promise.all([
    ui.api("GET", `/cases/${c.id}/checklists`).catch(() => ({ checklists: [] })),
    ui.can("replies", "add") && ui.can("library", "read")
      ? ui.api("GET", "/library/documents").catch(() => []) : Promise.resolve([]),
  ]);
  const parts = [checklistBlock(ui, c, lists.checklists || []), sendBlock(ui, c, documents)];
  return parts.some(Boolean) ? ui.el("div", { class: "case-extras" }, ...parts) : null;
}

function checklistBlock(ui, c, lists) {
  const { el, say } = ui;
  if (!lists.length) return null;
  const final = ["resolved", "closed"].includes(c.status) || !ui.can("cases", "edit");
  return el("section", { class: "checklists", "aria-label": say("checklists") },
    el("h2", { text: say("checklists") }),
    ...lists.map((item) => {
      const list = item.checklist;
      const done = list.steps.filter((s) => item.ticked[s.id]).length;
      return el("fieldset", { class: "checklist", "data-checklist": list.id },
        el("legend", { text: `${list.name} · ${say("checklist_version", { version: list.version })} · ${say("checklist_done_of", { done, total: list.steps.length })}` }),
        el("ol", {}, list.steps.map((step) => {
          const tick = item.ticked[step.id];
          const box = el("input", { type: "checkbox", name: step.id, checked: Boolean(tick), disabled: final,
            onchange: (e) => toggle(ui, c, list.id, step.id, e.target.checked, e.target) });
          const id = `step-${list.id}-${step.id}`;
          box.id = id;
          return el("li", { class: tick ? "ticked" : "" }, box, " ",
            el("label", { for: id, text: step.text }),
            tick ? el("span", { class: "sub", text: ` · ${ui.staffName(tick.by)} · ${ui.when(tick.at)}` }) : null);
        })));
    }));
}

async function toggle(ui, c, checklistId, stepId, done, box) {
  box.disabled = true;
  try {
    await ui.api("POST", `/cases/${c.id}/checklists/${checklistId}/ticks`, { version: c.version, step_id: stepId, done });
    await ui.reload(ui.say(done ? "step_ticked" : "step_unticked"));
  } catch (error) {
    box.checked = !done;
    box.disabled = false;
    await ui.failed(error);
  }
}

function sendBlock(ui, c, documents) {
  const { el, say } = ui;
  if (!ui.can("replies", "add") || c.status === "closed") return null;
  const sendable = documents.filter((d) => d.visibility === "public" && d.status === "ready");
  if (!sendable.length) return el("section", { class: "send-documents" }, el("h2", { text: say("send_documents") }),
    el("p", { class: "empty", text: say("no_public_documents") }));
  // the reader's language first, as the site lists them (a stable sort keeps the rest's order)
  const ordered = [...sendable].sort((a, b) => Number(b.language === ui.lang) - Number(a.language === ui.lang));
  const form = el("form", { class: "send-documents", onsubmit: async (e) => {
    e.preventDefault();
    const ids = [...e.target.querySelectorAll("input[type=checkbox]:checked")].map((x) => x.value);
    if (!ids.length) return;
    form.setAttribute("aria-busy", "true");
    try {
      await ui.api("POST", `/cases/${c.id}/documents`, { version: c.version, document_ids: ids });
      await ui.reload(say("documents_sent"));
    } catch (error) {
      await ui.failed(error);
    } finally {
      form.removeAttribute("aria-busy");
    }
  } },
  el("fieldset", {}, el("legend", { text: say("send_documents_label") }),
    el("p", { class: "hint", text: say("send_documents_hint") }),
    el("ul", {}, ordered.map((d) => {
      const id = `doc-${d.id}`;
      const box = el("input", { type: "checkbox", value: d.id, name: "document" });
      box.id = id;
      // a title is the document's own, in its language: one in another language says so in
      // the reader's words ("User manual · İngilizce belge")
      const other = d.language && d.language !== ui.lang
        ? ` · ${say("document_language", { language: say(`language_${d.language}`) })}` : "";
      return el("li", { "data-language": d.language }, box, " ", el("label", { for: id, text: `${d.title} (${d.filename})${other}` }));
    })),
    el("button", { type: "submit", text: say("send_documents") })));
  return el("section", {}, el("h2", { text: say("send_documents") }), form);
}

/** #/checklists: each checklist with its steps' skip counts, and the form to add one. */
export async function checklistsView(ui) {
  const { el, say } = ui;
  const lists = await ui.api("GET", "/checklists");
  const stats = await Promise.all(lists.map((l) => ui.api("GET", `/checklists/${l.id}/stats`).catch(() => null)));
  const rules = ui.can("checklists", "add") ? await ui.api("GET", "/routing-rules").catch(() => []) : [];
  const ruleName = (id) => (rules.find((r) => r.id === id) || {}).name || id;
  const sections = lists.map((l, i) => el("section", { class: "checklist-stats", "data-checklist": l.id },
    el("h2", { text: `${l.name} · ${say("checklist_version", { version: l.version })}` }),
    el("p", { class: "sub", text: [l.category_id ? `${say("checklist_category")}: ${ui.categoryName(l.category_id)}` : "",
      l.routing_rule_id ? `${say("checklist_rule")}: ${ruleName(l.routing_rule_id)}` : ""].filter(Boolean).join(" · ") }),
    stats[i] ? el("table", { class: "list" },
      el("caption", { text: say("checklist_stats") }),
      el("thead", {}, el("tr", {}, ["stat_step", "stat_resolved", "stat_skipped", "stat_rate"].map((k) => el("th", { scope: "col", text: say(k) })))),
      el("tbody", {}, stats[i].steps.map((s) => el("tr", { "data-step": s.step_id },
        el("td", { text: s.in_current_version ? s.text : `${s.text} ${say("stat_retired")}` }),
        el("td", { text: String(s.resolved) }), el("td", { text: String(s.skipped) }),
        el("td", { text: s.skip_rate === null ? "—" : `${Math.round(s.skip_rate * 100)}%` }))))) : null));
  return [el("h1", { text: say("checklists_title") }),
    ...(sections.length ? sections : [el("p", { class: "empty", text: say("checklists_none") })]),
    ui.can("checklists", "add") ? await builder(ui, rules) : null];
}

async function builder(ui, rules) {
  const { el, say } = ui;
  const categories = await ui.api("GET", "/categories").catch(() => []);
  const options = [el("option", { value: "", text: say("any") })];
  const walk = (nodes, depth) => nodes.forEach((n) => { options.push(el("option", { value: n.id, text: `${"· ".repeat(depth)}${n.name}` })); walk(n.children || [], depth + 1); });
  walk(categories, 0);
  const form = el("form", { class: "checklist-form", onsubmit: async (e) => {
    e.preventDefault();
    const f = e.target;
    const steps = f.steps.value.split("\n").map((s) => s.trim()).filter(Boolean).map((text) => ({ text }));
    try {
      await ui.api("POST", "/checklists", { name: f.name.value, steps,
        ...(f.category.value ? { category_id: f.category.value } : {}),
        ...(f.rule.value ? { routing_rule_id: f.rule.value } : {}) });
      await ui.reload(say("checklist_saved"));
    } catch (error) {
      await ui.failed(error);
    }
  } },
  el("fieldset", {}, el("legend", { text: say("checklist_save") }),
    ui.field(say("checklist_name"), el("input", { name: "name", required: true, maxlength: 120 })),
    ui.field(say("checklist_category"), el("select", { name: "category" }, options)),
    ui.field(say("checklist_rule"), el("select", { name: "rule" }, el("option", { value: "", text: say("any") }),
      rules.map((r) => el("option", { value: r.id, text: r.name })))),
    ui.field(say("checklist_steps"), el("textarea", { name: "steps", rows: 5, required: true })),
    el("button", { type: "submit", text: say("checklist_save") })));
  return form;
}

// ---- #/library: the e-library's documents, uploading and editing them -----------------------

const LANGUAGES = ["tr", "en"];
const VISIBILITIES = ["internal", "public"];

/** Bytes in the reader's numbers: "850 B", "12,4 kB", "3,2 MB" (1 kB = 1,024 bytes, as the
 *  API's 10 MB limit counts). */
export function fileSize(lang, bytes) {
  const locale = lang === "en" ? "en-GB" : "tr-TR";
  const [value, unit] = bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), "megabyte"]
    : bytes >= 1024 ? [bytes / 1024, "kilobyte"] : [bytes, "byte"];
  return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "short",
    maximumFractionDigits: unit === "byte" ? 0 : 1 }).format(value);
}

/** #/library (optionally ?category=<code>): every document grouped by category, each with its
 *  download link and (for editors) its edit form; the upload form for those who may add. */
export async function libraryView(ui) {
  const { el, say } = ui;
  const chosen = new URLSearchParams(location.hash.split("?")[1] || "").get("category") || "";
  const all = await ui.api("GET", "/library/documents");
  const categories = [...new Set(all.map((d) => d.category))].sort();
  // a code the shop gave words to reads as words (library_kind_<code>), any other as typed
  const named = (c) => (ui.has(`library_kind_${c}`) ? say(`library_kind_${c}`) : c);
  const shown = chosen ? all.filter((d) => d.category === chosen) : all;
  const filter = el("select", { name: "category", onchange: (e) => {
    location.hash = e.target.value ? `#/library?category=${encodeURIComponent(e.target.value)}` : "#/library";
  } }, el("option", { value: "", text: say("library_all_categories") }),
  categories.map((c) => el("option", { value: c, selected: c === chosen, text: named(c) })));
  const sections = [...new Set(shown.map((d) => d.category))].map((category) => el("section", { class: "library-category", "data-category": category },
    el("h2", { text: named(category) }),
    el("table", { class: "list library" },
      el("thead", {}, el("tr", {}, ["title", "language", "visibility", "status", "size", "updated", "file", "edit"]
        .map((k) => el("th", { scope: "col", text: say(`library_col_${k}`) })))),
      el("tbody", {}, shown.filter((d) => d.category === category).map((d) => documentRow(ui, d, categories))))));
  return [
    el("h1", { text: say("library_title") }),
    el("div", { class: "filters" }, ui.field(say("library_col_category"), filter)),
    ...(sections.length ? sections : [el("p", { class: "empty", text: say("library_none") })]),
    ui.can("library", "add") ? uploadForm(ui, categories) : null,
  ];
}

function documentRow(ui, d, categories) {
  const { el, say } = ui;
  return el("tr", { "data-document": d.id },
    el("th", { scope: "row" }, d.title, d.description ? el("p", { class: "sub", text: d.description }) : null),
    el("td", { text: say(`language_${d.language}`) }),
    el("td", { class: "library-visibility", text: say(`library_visibility_${d.visibility}`) }),
    el("td", { class: `library-status ${d.status}`, text: say(`library_status_${d.status}`) }),
    el("td", { class: "num", text: fileSize(ui.lang, d.size) }),
    el("td", { text: `${ui.when(d.updated_at)} · ${d.updated_by.name || ui.staffName(d.updated_by.id)}` }),
    el("td", {}, d.url ? el("a", { href: d.url, text: d.filename }) : d.filename),
    el("td", {}, ui.can("library", "edit") ? editForm(ui, d, categories) : null));
}

/** The fields an editor says about a document (the upload form and each edit form). */
function describe(ui, d, categories, listId) {
  const { el, say } = ui;
  const choice = (name, values, current, prefix) => el("select", { name }, values.map((v) =>
    el("option", { value: v, selected: v === current, text: say(`${prefix}${v}`) })));
  return [
    ui.field(say("library_field_title"), el("input", { name: "title", required: true, maxlength: 200, value: d.title || "" })),
    ui.field(say("library_field_description"), el("textarea", { name: "description", rows: 2, maxlength: 2000, text: d.description || "" })),
    ui.field(say("library_field_category"), el("input", { name: "category", required: true, maxlength: 40, value: d.category || "",
      list: listId, autocomplete: "off", "aria-describedby": `${listId}-hint` })),
    el("p", { class: "hint", id: `${listId}-hint`, text: say("library_category_hint") }),
    el("datalist", { id: listId }, categories.map((c) => el("option", { value: c }))),
    ui.field(say("library_field_language"), choice("language", LANGUAGES, d.language || ui.lang, "language_")),
    ui.field(say("library_field_visibility"), choice("visibility", VISIBILITIES, d.visibility || "internal", "library_visibility_")),
  ];
}

function fieldsOf(form) {
  return { title: form.elements.title.value.trim(), description: form.elements.description.value.trim(),
    category: form.elements.category.value.trim(), language: form.elements.language.value,
    visibility: form.elements.visibility.value };
}

/** A form's submit: busy while it works; the screen drawn again with `message`, or the
 *  refusal said in the agent's words (upload refusals name the file's problem). */
function submitting(ui, work, message) {
  return async (event) => {
    event.preventDefault();
    const form = event.target;
    form.setAttribute("aria-busy", "true");
    try {
      await work(form);
      await ui.reload(ui.say(message));
    } catch (error) {
      ui.problem(uploadProblem(ui, error));
    } finally {
      form.removeAttribute("aria-busy");
    }
  };
}

function editForm(ui, d, categories) {
  const { el, say } = ui;
  return el("details", { class: "library-edit" }, el("summary", { text: say("library_edit") }),
    el("form", { onsubmit: submitting(ui, (f) => ui.api("PATCH", `/library/documents/${encodeURIComponent(d.id)}`, fieldsOf(f)), "library_saved") },
      ...describe(ui, d, categories, `library-categories-${d.id}`),
      el("button", { type: "submit", text: say("library_save") })));
}

function uploadForm(ui, categories) {
  const { el, say } = ui;
  return el("form", { class: "library-upload", onsubmit: submitting(ui, upload(ui), "library_uploaded") },
    el("fieldset", {}, el("legend", { text: say("library_upload_title") }),
      ...describe(ui, {}, categories, "library-categories-new"),
      ui.field(say("library_field_file"), el("input", { type: "file", name: "file", required: true,
        accept: ".pdf,.jpg,.jpeg,.png,.gif,.webp,.heic,.txt,.mp4", "aria-describedby": "library-file-hint" })),
      el("p", { class: "hint", id: "library-file-hint", text: say("library_file_hint") }),
      el("button", { type: "submit", text: say("library_upload") })));
}

/** The three steps of an upload: describe it (the API checks the type and size and answers
 *  a presigned form), post the file straight to S3, then confirm (the API re-reads S3's copy). */
function upload(ui) {
  return async (form) => {
    const file = form.elements.file.files[0];
    const started = await ui.api("POST", "/library/documents", { ...fieldsOf(form), filename: file.name,
      content_type: file.type || "application/octet-stream", size: file.size });
    const data = new FormData();
    for (const [key, value] of Object.entries(started.fields)) data.append(key, value);
    data.append("file", file);
    const stored = await fetch(started.url, { method: "POST", body: data });
    if (!stored.ok) throw new UploadRefused(started.max_bytes);
    return ui.api("POST", `/library/documents/${encodeURIComponent(started.document.id)}/uploaded`);
  };
}

/** S3 refused the file the API accepted (its policy: the size, the type; or it was away). */
class UploadRefused extends Error {}

/** What is wrong with an upload, in the agent's words: the API refuses a file too large (413)
 *  or of a type it does not take (422 naming the allowed types, or a name that does not fit
 *  the type) before anything is stored; anything else as every refusal is said. */
function uploadProblem(ui, error) {
  const details = error && error.details && !Array.isArray(error.details) ? error.details : null;
  if (error instanceof UploadRefused) return ui.say("library_upload_failed");
  if (error && error.status === 413 && details && details.limit) {
    return ui.say("library_too_large", { max: fileSize(ui.lang, details.limit) });
  }
  if (error && error.status === 422 && details && details.allowed) return ui.say("library_type_not_allowed");
  if (error && error.status === 422 && details && details.filename) return ui.say("library_name_mismatch");
  return ui.explain(error);
}
