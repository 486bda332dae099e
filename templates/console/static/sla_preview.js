// destek console: the SLA preview on #/admin/sla (docs/console-and-site.md). An admin picks a sample case
// (priority, type, calendar, when it was opened) and a policy (a saved one, or the one the
// sample would get) and sees when its first response and resolution fall due. The API computes
// the times with the clocks a real case gets (POST /sla/preview, domain/sla.preview_due): this
// module only asks and shows. Imported by console.js, which hands in its helpers (`ui`).

const FORM = "__form"; // the policy choice meaning "the policy form's values, unsaved"

/** The preview form and its answer (null for someone who cannot read SLA settings);
 *  `formPolicy()`, when given, is the policy form's body as it is now. */
export async function slaPreview(ui, policies, editing, formPolicy = null) {
  const { el, say } = ui;
  if (!ui.can("sla", "read")) return null;
  const calendars = await ui.api("GET", "/calendars");
  const answer = el("div", { id: "preview-result", "aria-live": "polite" });
  const pick = (name, values, current, wordOf, none) => ui.choice(name, values, current, wordOf, none);
  const form = el("form", { id: "preview-form", onsubmit: async (event) => {
    event.preventDefault();
    const get = (name) => form.elements.namedItem(name);
    const body = {
      opened_at: get("opened_at").value, calendar_id: get("calendar_id").value,
      priority: get("priority").value || null, case_type: get("case_type").value || null,
    };
    const chosen = get("policy_id").value;
    if (chosen === FORM) body.policy = formPolicy();
    else if (chosen) body.policy_id = chosen;
    form.setAttribute("aria-busy", "true");
    try {
      answer.replaceChildren(shown(ui, await ui.api("POST", "/sla/preview", body)));
      ui.problem("");
    } catch (error) {
      answer.replaceChildren();
      ui.fieldProblems(form, error);
    } finally {
      form.removeAttribute("aria-busy");
    }
  } },
  el("h2", { text: say("preview_title") }),
  el("p", { class: "sub", text: say("preview_about") }),
  ui.field(say("preview_policy"), policyChoice(ui, policies, editing, formPolicy)),
  ui.field(say("col_priority"), pick("priority", ui.vocab.priorities, "normal", (p) => say(`priority_${p}`))),
  ui.field(say("col_type"), pick("case_type", ui.vocab.case_types, null, (t) => say(`type_${t}`), say("any"))),
  ui.field(say("preview_calendar"), pick("calendar_id", calendars.map((c) => c.id), "default",
    (id) => (calendars.find((c) => c.id === id) || {}).name || id)),
  ui.field(say("preview_opened_at"), el("input", { name: "opened_at", type: "datetime-local", required: true, value: nowLocal() })),
  el("button", { type: "submit", text: say("preview_show") }));
  return el("section", { class: "sla-preview", "aria-label": say("preview_title") }, form, answer);
}

/** The policy to preview: the form's values (when there is a form, chosen first), a saved
 *  policy (the one being edited chosen when there is no form), or the one the sample gets. */
function policyChoice(ui, policies, editing, formPolicy) {
  const { el, say } = ui;
  const current = formPolicy ? FORM : editing ? editing.id : "";
  return el("select", { name: "policy_id" },
    formPolicy ? el("option", { value: FORM, selected: current === FORM, text: say("preview_policy_form") }) : null,
    el("option", { value: "", selected: current === "", text: say("preview_policy_chosen") }),
    policies.map((p) => el("option", { value: p.id, selected: current === p.id, text: p.name })));
}

/** The API's answer: the policy that applied and each target's due time, in the calendar's zone. */
function shown(ui, preview) {
  const { el, say } = ui;
  if (!preview.policy_id) return el("p", { text: say("preview_no_policy") });
  const at = (iso) => new Intl.DateTimeFormat(ui.lang === "en" ? "en-GB" : "tr-TR", {
    weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZone: preview.timezone }).format(new Date(iso));
  return el("div", {},
    el("p", { text: say("preview_policy_used", { name: preview.policy_name, zone: preview.timezone }) }),
    el("table", { class: "list" },
      el("thead", {}, el("tr", {}, ["target", "minutes", "remind", "due"].map((k) => el("th", { scope: "col", text: say(`preview_${k}`) })))),
      el("tbody", {}, preview.targets.map((t) => el("tr", { "data-kind": t.kind },
        el("td", { text: say(`preview_kind_${t.kind}`) }),
        el("td", { text: say(t.business ? "preview_business_minutes" : "preview_calendar_minutes", { n: t.target_minutes }) }),
        el("td", { text: t.remind_at ? at(t.remind_at) : "—" }),
        el("td", { class: "due", text: at(t.due_at) }))))));
}

/** Now as a datetime-local value (the person's wall clock, to the minute). */
function nowLocal() {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}
