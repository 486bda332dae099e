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
    el("ul", {}, sendable.map((d) => {
      const id = `doc-${d.id}`;
      const box = el("input", { type: "checkbox", value: d.id, name: "document" });
      box.id = id;
      return el("li", {}, box, " ", el("label", { for: id, text: `${d.title} (${d.filename})` }));
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
