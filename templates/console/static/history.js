// A case's history in words: codes and ids from the API, words and names here. Each line
// says what happened (its kind), who and when, the person's words, why (the reason code in
// words, or what a person typed), each changed field with its values in words, and what the
// entry's data adds (a bounced notice, files not kept, a merge, a macro, a checklist step).

import { el } from "./shared/dom.js";
import { mergeFacts } from "./merges.js";

let lang, names, say, when, groupName, staffName, fieldName, kbUi;

/** Takes the frame's helpers (console.js `frameUi`); names: the ids' names (groups, staff,
 *  categories) loaded once per sign-in. */
export function wire(ui) {
  ({ lang, names, say, when, groupName, staffName, fieldName, kbUi } = ui);
}

/** One history line: what happened (its kind), who and when, the person's words, why
 *  (the reason code in words, or what a person typed) and each changed field in words. */
export function historyEntry(h) {
  const a = h.actor;
  const who = a.kind === "staff" ? staffName(a.id) : a.kind === "customer" ? a.name || say("author_customer")
    : a.id === "destek" ? say("actor_system") : a.name || a.id; // a shop's backend by its name
  const changes = Object.entries(h.changes || {});
  return el("li", { class: `entry k-${h.kind} ${h.visibility === "internal" ? "internal" : ""}` },
    el("div", { class: "entry-head" },
      el("span", { class: "entry-kind", text: say(`entry_${h.kind}`) }),
      h.visibility === "internal" && h.kind === "note" ? el("span", { class: "badge", text: say("internal") }) : null,
      el("span", {}, " ", who, " · ", el("time", { datetime: h.at, text: when(h.at) }))),
    h.body ? el("p", { class: "body", text: h.body }) : null,
    ...entryFacts(h),
    h.reason_code ? el("p", { class: "reason", "data-reason": h.reason_code, text: reasonText(h.reason_code, h.data || {}) }) : null,
    h.reason ? el("p", { class: "reason typed", text: h.reason }) : null,
    changes.length ? el("p", { class: "reason changes", text: changes.map(([k, ch]) => changeText(k, ch)).join(", ") }) : null);
}

function reasonText(code, d) {
  return say(`reason_${code}`, {
    channel: d.channel ? say(`channel_${d.channel}`) : "", rule: d.rule_name || "",
    words: (d.matched || []).join(", "), days: d.days ?? "", level: d.level ?? "",
    target: d.target ? say(`target_word_${d.target}`) : "", notify: d.notify ? say(`notify_${d.notify}`) : "",
    score: d.score ?? "",
    confidence: d.confidence != null ? new Intl.NumberFormat(lang, { style: "percent" }).format(d.confidence) : "",
  });
}

function changeText(field, change) {
  const show = (value) => (value === null || value === undefined || value === "" ? "—" : fieldValue(field, value));
  return `${fieldName(field)}: ${show(change.from)} → ${show(change.to)}`;
}

function fieldValue(field, value) {
  if (["status", "priority", "type", "channel"].includes(field)) return say(`${field}_${value}`);
  if (field === "group_id") return groupName(value);
  if (field === "assignee") return staffName(value);
  if (field === "category_id") return names.categories.get(value) || value;
  if (field.endsWith("_at")) return when(value);
  if (Array.isArray(value)) return value.length ? value.join(", ") : "—";
  if (value === true || value === false) return say(value ? "yes" : "no");
  return String(value);
}

// what a history entry's data says (issue 11): a notice that bounced, files a mail
// brought that were not kept, a duplicate pre-case merged in
function entryFacts(h) {
  const d = h.data || {};
  const facts = [];
  if (h.kind === "delivery_failed") facts.push(el("p", { class: "reason late", text: say("delivery_failed_line", d) }));
  for (const f of d.files_refused || []) {
    facts.push(el("p", { class: "reason", text: say("files_refused_line", { filename: f.filename, reason: say(`file_reason_${f.reason}`) }) }));
  }
  if (d.merged_from && !d.merged_from_number) facts.push(el("p", { class: "reason", text: say("merged_from") }));
  facts.push(...mergeFacts(kbUi(), h));
  if (d.macro_id) facts.push(el("p", { class: "reason macro-line", text: say("mac_history_line", { title: d.macro_title || d.macro_id }) }));
  if (h.kind === "checklist") {
    facts.push(el("p", { class: "reason", text: say(d.done ? "checklist_ticked_line" : "checklist_unticked_line",
      { checklist: d.checklist_name || "", step: d.step_text || d.step_id }) }));
  }
  if (h.kind === "documents_sent") {
    facts.push(el("p", { class: "reason", text: say("documents_sent_line",
      { titles: (d.documents || []).map((x) => x.title).join(", "), days: d.link_days ?? "" }) }));
  }
  if (h.kind === "rated") {
    facts.push(el("p", { class: "reason", "data-score": d.score, text: [say("rated_line", {
      source: say(`rating_source_${d.source}`), score: d.score, scale: d.scale }),
      d.previous_score ? say("rated_changed", { previous: d.previous_score }) : ""].join(" ").trim() }));
  }
  return facts;
}
