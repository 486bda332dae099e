// destek console: planned surveys (docs/surveys.md). Build and schedule a survey, start,
// pause or end it, watch its runs' figures come in, read its results (statistics with
// their 95% intervals, charts by Chart.js, split by a segment dimension), download the
// answers and the results as CSV or XLSX. Imported by console.js, which hands in its
// helpers (`ui`); every text comes from the strings files through ui.say.

import { loadChart, numberText, shareText } from "./reports.js";

const KINDS = ["rating", "nps", "single_choice", "multiple_choice", "free_text"];
const FREQUENCIES = ["once", "weekly", "monthly", "quarterly"];
const CATEGORIES = ["normal", "vip", "risky", "banned", "cod_approved"];
const CASE_TYPES = ["complaint", "request", "suggestion", "question"];
const CASE_CHANNELS = ["web", "phone", "email", "api", "social", "chat"];
// a rating question's scales, low to high: 1–5 first (Zendesk's and Freshdesk's default)
const SCALES = ["1-5", "1-3", "1-7", "1-10", "0-10"];
const COUNTS = ["matched", "sampled", "invited", "sent", "no_consent", "throttled", "no_address",
  "quiet_delayed", "cancelled", "answered"];
const RESULT_DIMENSIONS = ["customer_category", "language", "brand", "product", "product_group",
  "case_channel", "case_type", "case_category"];
// the console's words for a dimension's values (`<prefix><code>`); brands are names
const VALUE_WORDS = { customer_category: "customer_category_", language: "language_", case_channel: "channel_",
  case_type: "type_" };
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
    ui.field(say("survey_q_scale"), el("select", { name: "scale" },
      SCALES.map((v) => el("option", { value: v, text: v.replace("-", "–") })))),
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
    if (kind === "rating") {
      const [low, high] = value("scale").value.split("-").map(Number);
      Object.assign(q, { scale_min: low, scale_max: high });
    }
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
    ui.field(say("survey_seg_product_ids"), el("input", { name: "product_ids", placeholder: say("survey_comma_hint") })),
    ui.field(say("survey_seg_brands"), el("input", { name: "brands", placeholder: say("survey_comma_hint") })),
    ui.field(say("survey_seg_product_groups"), el("input", { name: "product_groups", placeholder: say("survey_comma_hint") })),
    ui.field(say("survey_seg_purchased_from"), el("input", { type: "date", name: "purchased_from" })),
    ui.field(say("survey_seg_purchased_to"), el("input", { type: "date", name: "purchased_to" })),
    ui.field(say("survey_seg_registered_from"), el("input", { type: "date", name: "registered_from" })),
    ui.field(say("survey_seg_registered_to"), el("input", { type: "date", name: "registered_to" })),
    checks("case_channels", CASE_CHANNELS, "channel_"),
    checks("case_types", CASE_TYPES, "type_"),
    ui.field(say("survey_seg_case_categories"), el("input", { name: "case_categories", placeholder: say("survey_comma_hint") })),
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
    const segment = { customer_categories: picked("customer_categories"), product_ids: list(f.product_ids.value),
      brands: list(f.brands.value), product_groups: list(f.product_groups.value),
      case_channels: picked("case_channels"), case_types: picked("case_types"),
      case_categories: list(f.case_categories.value) };
    for (const k of ["purchased_from", "purchased_to", "registered_from", "registered_to", "cases_from", "cases_to"]) {
      if (f[k].value) segment[k] = f[k].value;
    }
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
    summary(ui, s),
    el("h2", { text: say("survey_runs") }),
    figures,
    resultsSection(ui, s),
  ];
}

/** What the survey asks and of whom: its questions (in the reader's language, with a
 *  rating's scale), every segment criterion given, and its sample. */
function summary(ui, s) {
  const { el, say } = ui;
  const text = (t) => (ui.lang === "en" ? t.en : t.tr) || t.tr;
  const words = { customer_categories: "customer_category_", case_channels: "channel_", case_types: "type_" };
  const criteria = Object.entries(s.segment || {})
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => el("li", {}, `${say(`survey_seg_${k}`)}: `,
      Array.isArray(v) ? v.map((x) => (words[k] ? say(`${words[k]}${x}`) : x)).join(", ") : String(v)));
  const sample = s.sample.kind === "percent" ? `${say("survey_sample_percent")}: %${s.sample.percent}`
    : s.sample.kind === "count" ? `${say("survey_sample_count")}: ${s.sample.count}` : say("survey_sample_all");
  return el("details", { class: "survey-summary", open: s.status === "draft" },
    el("summary", { text: say("survey_summary") }),
    el("h3", { text: say("survey_questions") }),
    el("ol", {}, s.questions.map((q) => el("li", {}, text(q.text), " · ", say(`survey_kind_${q.kind}`),
      q.kind === "rating" ? ` ${q.scale_min}–${q.scale_max}` : "", q.required ? "" : ` · ${say("survey_q_optional")}`))),
    el("h3", { text: say("survey_segment") }),
    criteria.length ? el("ul", {}, criteria) : el("p", { text: say("survey_segment_everyone") }),
    el("p", {}, `${say("survey_sample")}: ${sample}`));
}

/** The 95% interval's words, or nothing when either end is missing (one answer has none):
 *  never "(95% CI —–—)". `key` is survey_res_interval or its NPS wording. */
function interval(ui, low, high, format, key = "survey_res_interval") {
  if (low === null || low === undefined || high === null || high === undefined) return "";
  return ui.say(key, { low: format(low), high: format(high) });
}

/** The results: a period and a dimension to split by, then the statistics and charts. */
function resultsSection(ui, survey) {
  const { el, say } = ui;
  const out = el("div", { id: "survey-results", "aria-live": "polite" });
  const form = el("form", { class: "report-pickers", id: "survey-results-form" },
    ui.field(say("survey_results_from"), el("input", { type: "date", name: "from" })),
    ui.field(say("survey_results_to"), el("input", { type: "date", name: "to" })),
    ui.field(say("survey_results_by"), el("select", { name: "by" },
      el("option", { value: "", text: say("survey_results_by_none") }),
      RESULT_DIMENSIONS.map((d) => el("option", { value: d, text: say(`survey_dim_${d}`) })))),
    el("button", { type: "submit", text: say("survey_results_show") }));
  const query = () => {
    const f = form.elements;
    const params = new URLSearchParams();
    for (const k of ["from", "to", "by"]) if (f[k].value) params.set(k, f[k].value);
    return params.toString();
  };
  const show = async () => {
    try {
      const results = await ui.api("GET", `/surveys/${encodeURIComponent(survey.id)}/results?${query()}`);
      out.replaceChildren(...resultsView(ui, survey, results));
      drawCharts(ui, out, survey, results).catch(() => {}); // the tables say it all without them
    } catch (error) { ui.problem(ui.explain(error)); }
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); show(); });
  requestAnimationFrame(show);
  return el("section", {}, el("h2", { text: say("survey_results") }), form,
    el("div", { class: "actions" }, ["csv", "xlsx"].map((format) => el("button", {
      type: "button", class: "secondary", text: say(`survey_res_download_${format}`),
      onclick: () => downloadResults(ui, survey.id, query(), format).catch((error) => ui.problem(ui.explain(error))),
    }))), out);
}

function questionText(ui, survey, id) {
  const q = survey.questions.find((x) => x.id === id);
  return q ? (q.text[ui.lang] || q.text.tr) : id;
}

function choiceText(ui, survey, qid, cid) {
  const q = survey.questions.find((x) => x.id === qid);
  const c = q && q.choices.find((x) => x.id === cid);
  return c ? (c.text[ui.lang] || c.text.tr) : cid;
}

function valueName(ui, by, value) {
  const prefix = VALUE_WORDS[by];
  if (by === "case_category") return ui.categoryName(value);
  return prefix ? ui.say(`${prefix}${value}`) : value;
}

/** One question's figures as lines of text (and a canvas the chart is drawn on). */
function questionFigures(ui, survey, q, chart) {
  const { el, say } = ui;
  const pct = (x) => shareText(ui, x);
  const num = (x, digits = 2) => numberText(ui, x, digits);
  const lines = [el("p", { class: "hint", text: say("survey_res_answers_n", { n: q.n }) })];
  if (q.mean) lines.push(el("p", { text: say("survey_res_mean_line", { mean: num(q.mean.value), interval: interval(ui, q.mean.low, q.mean.high, num), sd: num(q.sd) }) }));
  if (q.csat) lines.push(el("p", { text: say("survey_res_csat_line", { share: pct(q.csat.share), interval: interval(ui, q.csat.low, q.csat.high, pct) }) }));
  if (q.nps) lines.push(el("p", { text: say("survey_res_nps_line", { score: num(q.nps.score, 1), interval: interval(ui, q.nps.low, q.nps.high, (x) => num(x, 1), "survey_res_interval_nps"), promoters: q.nps.promoters, passives: q.nps.passives, detractors: q.nps.detractors }) }));
  const bars = q.distribution
    ? q.distribution.map((d) => [String(d.value), d.count, d.share])
    : (q.options || []).map((o) => [choiceText(ui, survey, q.id, o.id), o.count, o.share]);
  if (bars.length && q.n) {
    if (chart) lines.push(el("div", { class: "chart" }, el("canvas", { "data-question": q.id, role: "img", "aria-label": questionText(ui, survey, q.id) })));
    lines.push(el("table", { class: "list" },
      el("thead", {}, el("tr", {}, [q.distribution ? "survey_res_score" : "survey_res_choice", "survey_res_count", "survey_res_share"]
        .map((k) => el("th", { scope: "col", text: say(k) })))),
      el("tbody", {}, bars.map(([label, count, share]) => el("tr", {},
        el("td", { text: label }), el("td", { class: "num", text: String(count) }), el("td", { class: "num", text: pct(share) }))))));
  }
  return lines;
}

function resultsView(ui, survey, r) {
  const { el, say } = ui;
  const pct = (x) => shareText(ui, x);
  const parts = [el("p", { id: "survey-response", text: say("survey_res_response", { share: pct(r.response.share), interval: interval(ui, r.response.low, r.response.high, pct), count: r.response.count, n: r.response.n }) })];
  if (!r.questions.some((q) => q.n)) {
    parts.push(el("p", { class: "empty", text: say("survey_res_none") }));
    return parts;
  }
  for (const q of r.questions) {
    const block = el("article", { class: "survey-question", "data-question": q.id },
      el("h3", { text: questionText(ui, survey, q.id) }), questionFigures(ui, survey, q, true));
    const text = (r.free_text || []).find((t) => t.question_id === q.id);
    if (text) block.append(...textFigures(ui, text));
    parts.push(block);
  }
  if (r.by && r.groups.length) {
    parts.push(el("h3", { text: say("survey_results_by") + ": " + say(`survey_dim_${r.by}`) }));
    parts.push(el("table", { class: "list", id: "survey-groups" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: say("survey_res_group") }),
        el("th", { scope: "col", text: say("survey_count_response_rate") }),
        r.questions.filter((q) => q.kind !== "free_text").map((q) => el("th", { scope: "col", text: questionText(ui, survey, q.id) })))),
      el("tbody", {}, r.groups.map((g) => el("tr", {},
        el("th", { scope: "row", text: valueName(ui, r.by, g.value) }),
        el("td", { class: "num", text: `${pct(g.response.share)}${interval(ui, g.response.low, g.response.high, pct, "survey_res_interval_short")}` }),
        g.questions.filter((q) => q.kind !== "free_text").map((q) => el("td", { class: "num", text: groupCell(ui, survey, q) })))))));
  }
  return parts;
}

/** A question's headline in a group's row: mean, NPS or the most chosen option, with n. */
function groupCell(ui, survey, q) {
  const pct = (x) => shareText(ui, x);
  const num = (x, digits = 2) => numberText(ui, x, digits);
  const one = (x) => num(x, 1);
  const short = "survey_res_interval_short";
  if (!q.n) return "—";
  if (q.mean) return `${num(q.mean.value)}${interval(ui, q.mean.low, q.mean.high, num, short)}, n=${q.n}`;
  if (q.nps) return `${one(q.nps.score)}${interval(ui, q.nps.low, q.nps.high, one, short)}, n=${q.nps.promoters + q.nps.passives + q.nps.detractors}`;
  const top = (q.options || []).reduce((a, b) => (b.count > a.count ? b : a), { count: -1 });
  return top.id ? `${choiceText(ui, survey, q.id, top.id)}: ${pct(top.share)}, n=${q.n}` : `n=${q.n}`;
}

function textFigures(ui, t) {
  const { el, say } = ui;
  const out = [el("p", { class: "hint", text: say("survey_res_text_note", { read: t.read, limit: t.limit }) })];
  if (!t.complete) out.push(el("p", { class: "hint", text: say("survey_res_text_more") }));
  out.push(el("p", {}, ["negative", "neutral", "positive"].map((k) => `${say(`survey_res_sentiment_${k}`)}: ${t.sentiment[k] || 0}`).join(" · ")));
  if (t.topics.length) {
    out.push(el("table", { class: "list" },
      el("thead", {}, el("tr", {}, ["survey_res_topic", "survey_res_count", "survey_res_examples"].map((k) => el("th", { scope: "col", text: say(k) })))),
      el("tbody", {}, t.topics.map((topic) => el("tr", {},
        el("td", { text: topic.name }), el("td", { class: "num", text: String(topic.answers) }),
        el("td", {}, el("ul", {}, topic.examples.map((x) => el("li", { text: x })))))))));
  }
  return out;
}

/** A bar chart per rating, NPS and choice question (shares of the answers, in percent). */
async function drawCharts(ui, out, survey, r) {
  const canvases = [...out.querySelectorAll("canvas[data-question]")];
  if (!canvases.length) return;
  const Chart = await loadChart();
  for (const canvas of canvases) {
    const q = r.questions.find((x) => x.id === canvas.dataset.question);
    const bars = q.distribution
      ? q.distribution.map((d) => [String(d.value), d.share])
      : q.options.map((o) => [choiceText(ui, survey, q.id, o.id), o.share]);
    new Chart(canvas, {
      type: "bar",
      data: { labels: bars.map((b) => b[0]), datasets: [{ label: ui.say("survey_res_share"),
        data: bars.map((b) => (b[1] === null ? 0 : b[1] * 100)), backgroundColor: "#0b5cad", maxBarThickness: 32 }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false, indexAxis: q.options ? "y" : "x",
        scales: { [q.options ? "x" : "y"]: { beginAtZero: true, max: 100 } }, plugins: { legend: { display: false } } },
    });
  }
}

async function downloadResults(ui, id, query, format) {
  const types = { csv: "text/csv", xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" };
  const blob = await ui.apiFile(`/surveys/${encodeURIComponent(id)}/results/export?${query ? `${query}&` : ""}format=${format}&lang=${ui.lang}`, types[format]);
  const link = ui.el("a", { href: URL.createObjectURL(blob), download: `destek-survey-${id}-results.${format}` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

function runsTable(ui, detail) {
  const { el, say } = ui;
  // an active survey's first run starts at the next tick (every 15 minutes): say so, or
  // "no sends yet" reads like a fault
  if (!detail.runs.length) {
    return el("p", { class: "empty", text: detail.survey.status === "active"
      ? say("survey_no_runs_yet", { at: ui.when(detail.survey.next_run_at) }) : say("survey_no_runs") });
  }
  const rate = (r) => shareText(ui, r);
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
