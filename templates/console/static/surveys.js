// destek console: planned surveys (docs/surveys.md). Build and schedule a survey, start,
// pause or end it, watch its runs' figures come in, download the answers as CSV or XLSX.
// Imported by console.js, which hands in its helpers (`ui`); every text comes from the
// strings files through ui.say.

const KINDS = ["rating", "nps", "single_choice", "multiple_choice", "free_text"];
const FREQUENCIES = ["once", "weekly", "monthly", "quarterly"];
const CATEGORIES = ["normal", "vip", "risky", "banned", "cod_approved"];
const CASE_TYPES = ["complaint", "request", "suggestion", "question"];
const COUNTS = ["matched", "sampled", "invited", "sent", "no_consent", "throttled", "no_address",
  "quiet_delayed", "cancelled", "answered"];
const MOVES = { draft: ["active", "ended"], active: ["paused", "ended"], paused: ["active", "ended"], ended: [] };
let watching = null; // the timer that refreshes an open survey's figures

const list = (text) => String(text || "").split(",").map((s) => s.trim()).filter(Boolean);

/** #/surveys: every survey, and the form to build one. */
export async function surveysView(ui) {
  const { el, say } = ui;
  stopWatching();
  const surveys = await ui.api("GET", "/surveys");
  const rows = surveys.map((s) => el("tr", {},
    el("td", {}, el("a", { href: `#/survey/${s.id}`, text: s.name })),
    el("td", {}, el("span", { class: `status sv-${s.status}`, text: say(`survey_status_${s.status}`) })),
    el("td", { text: say(`survey_frequency_${s.schedule.frequency}`) }),
    el("td", { text: s.next_run_at ? ui.when(s.next_run_at) : "—" })));
  return [
    el("h1", { text: say("surveys_title") }),
    surveys.length
      ? el("table", { class: "list" },
        el("thead", {}, el("tr", {}, ["name", "status", "frequency", "next_run"]
          .map((k) => el("th", { scope: "col", text: say(`survey_col_${k}`) })))),
        el("tbody", {}, rows))
      : el("p", { class: "empty", text: say("surveys_none") }),
    ui.can("surveys", "add") ? builder(ui) : null,
  ];
}

function questionRow(ui, n) {
  const { el, say } = ui;
  return el("fieldset", { class: "question", "data-n": n },
    el("legend", { text: say("survey_question_n", { n }) }),
    ui.field(say("survey_q_kind"), el("select", { name: "kind" },
      KINDS.map((k) => el("option", { value: k, text: say(`survey_kind_${k}`) })))),
    ui.field(say("survey_q_tr"), el("input", { name: "tr", required: true, maxlength: 500 })),
    ui.field(say("survey_q_en"), el("input", { name: "en", required: true, maxlength: 500 })),
    ui.field(say("survey_q_choices"), el("textarea", { name: "choices", rows: 3, placeholder: say("survey_q_choices_hint") })),
    el("label", { class: "choice" }, el("input", { type: "checkbox", name: "required", checked: true }), ` ${say("survey_q_required")}`));
}

function questionsOf(form) {
  return [...form.querySelectorAll("fieldset.question")].map((f, i) => {
    const value = (name) => f.querySelector(`[name="${name}"]`);
    const kind = value("kind").value;
    const q = { id: `q${i + 1}`, kind, required: value("required").checked,
      text: { tr: value("tr").value.trim(), en: value("en").value.trim() } };
    if (kind.endsWith("_choice")) {
      q.choices = value("choices").value.split("\n").map((l) => l.trim()).filter(Boolean).map((line, j) => {
        const [tr, en] = line.split("|").map((s) => s.trim());
        return { id: `c${j + 1}`, text: { tr, en: en || tr } };
      });
    }
    return q;
  });
}

function builder(ui) {
  const { el, say } = ui;
  let n = 1;
  const questions = el("div", { id: "survey-questions" }, questionRow(ui, n));
  const checks = (name, values, prefix) => el("fieldset", {}, el("legend", { text: say(`survey_seg_${name}`) }),
    values.map((v) => el("label", { class: "choice" }, el("input", { type: "checkbox", name, value: v }), ` ${say(`${prefix}${v}`)}`)));
  const form = el("form", { id: "survey-builder", novalidate: true },
    el("h2", { text: say("survey_new") }),
    ui.field(say("survey_name"), el("input", { name: "name", required: true, maxlength: 200 })),
    el("h3", { text: say("survey_questions") }),
    questions,
    el("button", { type: "button", class: "secondary", onclick: () => questions.append(questionRow(ui, ++n)), text: say("survey_add_question") }),
    el("h3", { text: say("survey_segment") }),
    checks("customer_categories", CATEGORIES, "customer_category_"),
    ui.field(say("survey_seg_brands"), el("input", { name: "brands", placeholder: say("survey_comma_hint") })),
    ui.field(say("survey_seg_product_groups"), el("input", { name: "product_groups", placeholder: say("survey_comma_hint") })),
    ui.field(say("survey_seg_purchased_from"), el("input", { type: "date", name: "purchased_from" })),
    ui.field(say("survey_seg_purchased_to"), el("input", { type: "date", name: "purchased_to" })),
    checks("case_types", CASE_TYPES, "type_"),
    ui.field(say("survey_seg_cases_from"), el("input", { type: "date", name: "cases_from" })),
    ui.field(say("survey_seg_cases_to"), el("input", { type: "date", name: "cases_to" })),
    ui.field(say("survey_seg_no_contact_days"), el("input", { type: "number", name: "no_contact_days", min: 1, max: 3650 })),
    el("h3", { text: say("survey_sample") }),
    ui.field(say("survey_sample_kind"), el("select", { name: "sample_kind" },
      ["all", "percent", "count"].map((k) => el("option", { value: k, text: say(`survey_sample_${k}`) })))),
    ui.field(say("survey_sample_figure"), el("input", { type: "number", name: "sample_figure", min: 1 })),
    el("h3", { text: say("survey_schedule") }),
    ui.field(say("survey_frequency"), el("select", { name: "frequency" },
      FREQUENCIES.map((f) => el("option", { value: f, text: say(`survey_frequency_${f}`) })))),
    ui.field(say("survey_start_at"), el("input", { type: "datetime-local", name: "start_at", required: true })),
    ui.field(say("survey_channel"), el("select", { name: "channel" },
      ["email", "sms"].map((c) => el("option", { value: c, text: say(`survey_channel_${c}`) })))),
    el("button", { type: "submit", text: say("survey_create") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = form.elements;
    const picked = (name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
    const segment = { customer_categories: picked("customer_categories"), brands: list(f.brands.value),
      product_groups: list(f.product_groups.value), case_types: picked("case_types") };
    for (const k of ["purchased_from", "purchased_to", "cases_from", "cases_to"]) if (f[k].value) segment[k] = f[k].value;
    if (f.no_contact_days.value) segment.no_contact_days = Number(f.no_contact_days.value);
    const kind = f.sample_kind.value;
    const sample = { kind, ...(kind === "percent" ? { percent: Number(f.sample_figure.value) } : {}),
      ...(kind === "count" ? { count: Number(f.sample_figure.value) } : {}) };
    const start = f.start_at.value ? new Date(f.start_at.value).toISOString() : "";
    try {
      const made = await ui.api("POST", "/surveys", { name: f.name.value.trim(), questions: questionsOf(form),
        segment, sample, channel: f.channel.value, schedule: { frequency: f.frequency.value, start_at: start } });
      location.hash = `#/survey/${made.id}`;
    } catch (error) {
      ui.problem(ui.explain(error));
    }
  });
  return form;
}

function stopWatching() {
  if (watching) clearInterval(watching);
  watching = null;
}

/** #/survey/<id>: the survey's state, its runs' figures (refreshed every 30 s while open),
 *  its moves and its answers' downloads. */
export async function surveyView(ui, id) {
  const { el, say } = ui;
  stopWatching();
  const detail = await ui.api("GET", `/surveys/${encodeURIComponent(id)}`);
  const s = detail.survey;
  const figures = el("div", { id: "survey-figures" }, runsTable(ui, detail));
  watching = setInterval(async () => {
    if (!document.body.contains(figures)) { stopWatching(); return; }
    try { figures.replaceChildren(runsTable(ui, await ui.api("GET", `/surveys/${encodeURIComponent(id)}`))); } catch { /* next time */ }
  }, 30000);
  const moves = ui.can("surveys", "edit") ? MOVES[s.status].map((status) => el("button", {
    type: "button", class: status === "ended" ? "secondary" : null, text: say(`survey_move_${status}`),
    onclick: async () => {
      try {
        await ui.api("POST", `/surveys/${encodeURIComponent(id)}/status`, { status, version: s.version });
        location.hash = `#/survey/${id}?${Date.now()}`;
      } catch (error) { ui.problem(ui.explain(error)); }
    },
  })) : [];
  return [
    el("h1", { text: s.name }),
    el("p", {}, el("span", { class: `status sv-${s.status}`, text: say(`survey_status_${s.status}`) }),
      ` · ${say(`survey_frequency_${s.schedule.frequency}`)} · ${say(`survey_channel_${s.channel}`)}`,
      s.next_run_at ? ` · ${say("survey_col_next_run")}: ${ui.when(s.next_run_at)}` : ""),
    el("div", { class: "actions" }, moves,
      ["csv", "xlsx"].map((format) => el("button", { type: "button", class: "secondary", text: say(`survey_download_${format}`),
        onclick: () => download(ui, id, format).catch((error) => ui.problem(ui.explain(error))) }))),
    el("h2", { text: say("survey_runs") }),
    figures,
    el("p", { class: "hint", text: say("survey_stats_later") }),
  ];
}

function runsTable(ui, detail) {
  const { el, say } = ui;
  if (!detail.runs.length) return el("p", { class: "empty", text: say("survey_no_runs") });
  const rate = (r) => (r === null || r === undefined ? "—" : `${(r * 100).toFixed(1)}%`);
  const row = (label, counts, r, head = false) => el("tr", { class: head ? "total" : null },
    el(head ? "th" : "td", { scope: head ? "row" : null, text: label }),
    COUNTS.map((k) => el("td", { class: "num", text: String(counts[k] ?? 0) })),
    el("td", { class: "num", text: rate(r) }));
  return el("table", { class: "list", "aria-live": "polite" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: say("survey_run_due") }),
      [...COUNTS, "response_rate"].map((k) => el("th", { scope: "col", text: say(`survey_count_${k}`) })))),
    el("tbody", {}, detail.runs.map((r) => row(ui.when(r.due_at), r.counts, r.response_rate)),
      row(say("survey_total"), detail.totals, detail.response_rate, true)));
}

async function download(ui, id, format) {
  const types = { csv: "text/csv", xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" };
  const blob = await ui.apiFile(`/surveys/${encodeURIComponent(id)}/answers/export?format=${format}&lang=${ui.lang}`, types[format]);
  const link = ui.el("a", { href: URL.createObjectURL(blob), download: `destek-survey-${id}.${format}` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}
