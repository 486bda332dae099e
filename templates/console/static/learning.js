// destek console: routing learned from agents' corrections (issue 20; docs/turkish-text.md,
// "Learning from corrections"). #/admin/learning shows the learned classifier (trained when,
// on how many resolved cases, its accuracy against the rules), its settings (off by default:
// it only suggests until an admin lets it route) and the phrases agents' moves say the rules
// miss: cases moved to another group, then cases put in another category than routing set.
// Each phrase has either the keyword to add to a rule (a word as customers wrote it, its match
// mode, the verb forms to list as never-trigger words) or, when an enabled rule's keyword
// already matched it, that rule: a keyword is not what is missing there. On the case screen,
// the classifier's suggestion. Imported by console.js, which hands in its helpers (`ui`); every text comes
// from the strings files through ui.say.

import { number, parseDecimal } from "./shared/format.js";

const percent = (ui, x) => (x === null || x === undefined ? "—"
  : new Intl.NumberFormat(ui.lang, { style: "percent", maximumFractionDigits: 1 }).format(x));

/** The classifier's suggestion for a case, when it names another group than the case's. */
export function routingSuggestion(ui, c) {
  const s = c.routing && c.routing.suggestion;
  if (!s || s.group_id === c.group_id) return null;
  return ui.el("p", { class: "routing-suggestion", "data-suggested": s.group_id,
    text: ui.say("lrn_suggestion", { group: ui.groupName(s.group_id), confidence: percent(ui, s.confidence) }) });
}

/** What to do about a phrase: the rule that already matched it (`covered`: the string key
 *  naming what to look at in that rule; `same`: whether that rule already routes where the
 *  cases ended, so another rule took them first), else the keyword with its mode and
 *  never-trigger words, and the share of the customers' forms it catches. */
function suggestionCell(ui, p, covered, same) {
  const { el, say } = ui;
  if (p.covered_by) {
    const key = same(p.covered_by) ? `${covered}_same` : covered;
    return el("td", { class: "learning-covered", "data-rule": p.covered_by.rule_id },
      say(key, { rule: p.covered_by.rule_name, words: p.covered_by.matched }));
  }
  const s = p.suggestion;
  if (!s) return el("td", { text: "—" });
  return el("td", { class: "learning-suggestion", "data-mode": s.mode },
    el("code", { text: s.keyword }), " ", el("span", { class: "learning-mode", text: say(`lrn_mode_${s.mode}`) }),
    s.not_words.length ? el("p", { class: "learning-not-words", text: say("lrn_not_words", { words: s.not_words.join(", ") }) }) : null,
    s.catches < 1 ? el("p", { text: say("lrn_catches", { share: percent(ui, s.catches) }) }) : null);
}

/** #/admin/learning: the classifier's status, settings and training, then the report. */
export async function learningAdmin(ui) {
  const { el, say } = ui;
  const [status, report] = await Promise.all([
    ui.api("GET", "/routing-classifier"), ui.api("GET", "/routing-corrections/report")]);
  const editable = ui.can("routing_rules", "edit");
  const settings = status.settings;
  const facts = [
    status.trained
      ? say("lrn_trained", { when: ui.when(status.trained_at), examples: status.examples, groups: status.groups.length })
      : say("lrn_not_trained"),
    status.trained ? say("lrn_accuracy", { held: status.held_out, classifier: percent(ui, status.accuracy),
      rules: percent(ui, status.rules_accuracy), both: percent(ui, status.combined_accuracy) }) : null,
    status.training ? say("lrn_training") : null,
    settings.changed_by ? say("lrn_changed", { who: ui.staffName(settings.changed_by), when: ui.when(settings.changed_at) }) : null,
  ].filter(Boolean).map((text) => el("p", { text }));
  const form = editable ? el("form", { class: "learning-settings", onsubmit: ui.submit((e) => ui.api("PUT", "/routing-classifier/settings", {
    enabled: e.target.enabled.checked, min_confidence: parseDecimal(e.target.min_confidence.value) }), say("lrn_saved")) },
    el("label", {}, el("input", { type: "checkbox", name: "enabled", checked: settings.enabled }), " ", say("lrn_enabled")),
    // a text field, so the value reads as the page's language writes it ("0,8"), not as the
    // browser's number field would; "0,8" and "0.8" are both taken (the API checks 0.5–1)
    ui.field(say("lrn_min_confidence"), el("input", { type: "text", inputmode: "decimal", name: "min_confidence",
      pattern: "\\s*[01]([.,][0-9]{1,3})?\\s*", value: number(settings.min_confidence, ui.lang), required: true })),
    el("button", { type: "submit", text: say("lrn_save") })) : null;
  const train = editable ? el("form", { class: "learning-train", onsubmit: ui.submit(() => ui.api("POST", "/routing-classifier/train", {}), say("lrn_trained_now")) },
    el("button", { type: "submit", class: "secondary", text: say("lrn_train") })) : null;
  const phrases = report.phrases.length ? el("table", { class: "learning-phrases" },
    el("thead", {}, el("tr", {}, ["lrn_col_phrase", "lrn_col_group", "lrn_col_count", "lrn_col_share", "lrn_col_suggestion"]
      .map((k) => el("th", { text: say(k) })))),
    el("tbody", {}, report.phrases.map((p) => el("tr", { "data-phrase": p.phrase },
      el("td", { text: p.phrase }), el("td", { text: ui.groupName(p.group_id) }), el("td", { text: String(p.corrections) }),
      el("td", { text: percent(ui, p.share) }), suggestionCell(ui, p, "lrn_covered", (r) => r.group_id === p.group_id)))))
    : el("p", { text: say("lrn_no_phrases") });
  const moves = report.moves.length ? el("table", { class: "learning-moves" },
    el("thead", {}, el("tr", {}, ["lrn_col_routed", "lrn_col_group", "lrn_col_count"].map((k) => el("th", { text: say(k) })))),
    el("tbody", {}, report.moves.map((m) => el("tr", {}, el("td", { text: ui.groupName(m.routed_group) }),
      el("td", { text: ui.groupName(m.final_group) }), el("td", { text: String(m.corrections) }))))) : null;
  return el("section", { class: "learning" },
    el("h2", { text: say("lrn_status_title") }), ...facts, form, train,
    el("h2", { text: say("lrn_report_title") }), el("p", { text: say("lrn_report_intro", { count: report.corrections }) }),
    phrases, moves ? el("h3", { text: say("lrn_moves_title") }) : null, moves,
    ...categoryReport(ui, report.categories));
}

/** The report's category side: the phrases of cases put in another category than routing
 *  set, each with the keyword a rule setting that category lacks or the rule that already
 *  matched it, then the changes. */
function categoryReport(ui, report) {
  const { el, say } = ui;
  const table = (cls, keys, rows) => el("table", { class: cls },
    el("thead", {}, el("tr", {}, keys.map((k) => el("th", { scope: "col", text: say(k) })))), el("tbody", {}, rows));
  const phrases = report.phrases.length ? table("learning-category-phrases",
    ["lrn_col_phrase", "lrn_col_category", "lrn_col_count", "lrn_col_share", "lrn_col_suggestion"],
    report.phrases.map((p) => el("tr", { "data-phrase": p.phrase },
      el("td", { text: p.phrase }), el("td", { text: ui.categoryName(p.category_id) }), el("td", { text: String(p.corrections) }),
      el("td", { text: percent(ui, p.share) }), suggestionCell(ui, p, "lrn_covered_category",
        (r) => r.set_category_id === p.category_id))))
    : el("p", { text: say("lrn_no_phrases") });
  const moves = report.moves.length ? table("learning-category-moves",
    ["lrn_col_routed_category", "lrn_col_category", "lrn_col_count"],
    report.moves.map((m) => el("tr", {},
      el("td", { text: m.routed_category ? ui.categoryName(m.routed_category) : say("lrn_no_category") }),
      el("td", { text: ui.categoryName(m.final_category) }), el("td", { text: String(m.corrections) })))) : null;
  return [el("h2", { text: say("lrn_categories_title") }),
    el("p", { text: say("lrn_categories_intro", { count: report.corrections }) }),
    phrases, moves ? el("h3", { text: say("lrn_category_moves_title") }) : null, moves];
}
