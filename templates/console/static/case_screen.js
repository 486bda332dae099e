// One case: the case screen (facts, SLA targets, the actions its reader may take, the
// history, notices and files) beside the customer 360 (customer.js). History lines are
// worded by history.js; the case's extras come from their own modules (kb.js, macros.js,
// library.js, tags_fields.js, merges.js, case_files.js, case_people.js, presence.js).
// Loaded when a case is first opened; the frame's helpers come through wire(ui).

import { el } from "./shared/dom.js";
import { caseArticles } from "./kb.js";
import { caseExtras } from "./library.js";
import { caseMacros } from "./macros.js";
import { staffMarks } from "./customer_flags.js";
import { caseTagsFields } from "./tags_fields.js";
import { mergeForm, mergedBanner, splitButton } from "./merges.js";
import { routingSuggestion } from "./learning.js";
import { withCaseList } from "./views.js";
import { watchCase } from "./presence.js";
import { filePicker, filesSection, messageFiles, uploadPicked } from "./case_files.js";
import { casePeople } from "./case_people.js";
import { historyEntry, wire as wireHistory } from "./history.js";
import { customerPanel, orderRef, wire as wireCustomer } from "./customer.js";
import { assignBody, assignChoices } from "./lists.js";

let lang, names, say, api, can, field, select, act, when, groupName, staffName, signedIn, vocab,
  timeLeft, markSeen, categoryChoice, kbUi, macrosUi, viewsUi, libraryUi, adminUi;

/** Takes the frame's helpers (console.js `frameUi`) and hands them to history.js and
 *  customer.js too: names (the ids' names, the custom fields' labels set here), signedIn()
 *  and vocab() (GET /me and GET /vocabulary), lists.js's helpers and the ui builders. */
export function wire(ui) {
  ({ lang, names, say, api, can, field, select, act, when, groupName, staffName, signedIn, vocab,
     timeLeft, markSeen, categoryChoice, kbUi, macrosUi, viewsUi, libraryUi, adminUi } = ui);
  wireHistory(ui);
  wireCustomer(ui);
}

export async function caseScreen(_, ref) {
  const view = await api("GET", `/cases/${encodeURIComponent(ref)}`);
  const [overview, , marks] = await Promise.all([
    api("GET", `/customers/${view.case.customer_id}/overview`).catch(() => null), markSeen(view.case),
    staffMarks(adminUi(), view.case.customer_id).catch(() => null)]);
  const [extras, definitions] = await Promise.all([caseExtras(libraryUi(view.case.id), view),
    can("case_fields", "read") ? api("GET", "/case-fields").catch(() => []) : []]);
  names.customFields = new Map(definitions.map((f) => [f.key, lang === "en" ? f.label_en : f.label_tr]));
  watchCase(viewsUi(), view.case); // presence, changes meanwhile, a closed case read-only
  return [withCaseList(viewsUi(), view.case, el("div", { class: "case-screen" }, casePanel(view, extras, definitions), customerPanel(overview, view.case.id, marks)))];
}

function casePanel(view, extras = null, definitions = []) {
  const me = signedIn(); // GET /me: the rating scale
  const c = view.case;
  const v = c.version;
  const post = (path, body) => api("POST", `/cases/${c.id}${path}`, { version: v, ...body });
  const header = el("header", { class: "case-head" },
    el("h1", { text: `${c.number} · ${c.subject}` }),
    mergedBanner(kbUi(), c),
    routingSuggestion(kbUi(), c),
    el("dl", { class: "facts" },
      ...[["status", say(`status_${c.status}`)], ["priority", say(`priority_${c.priority}`)],
          ["type", say(`type_${c.type}`)], ["channel", say(`channel_${c.channel}`)],
          ["group", groupName(c.group_id)], ["assignee", staffName(c.assignee)], ["opened", when(c.created_at)],
          ...(c.order ? [["order", orderRef(c.order)]] : [])]
        .flatMap(([k, value]) => [el("dt", { text: say(`col_${k}`) }), el("dd", { "data-fact": k, text: value })])),
    el("p", { class: "description", text: c.description }),
    view.targets && view.targets.length ? el("ul", { class: "targets" }, view.targets.map((t) => {
      const left = t.state === "running" ? timeLeft(t.due_at) : { text: say(`sla_${t.state}`), cls: t.state === "breached" ? "late" : "" };
      return el("li", { class: `due ${left.cls}` }, `${say(`target_${t.kind}`)}: ${left.text}`);
    })) : null);

  const actions = el("div", { class: "actions" });
  if (can("cases", "edit") && !c.assignee && ["open", "reopened", "new"].includes(c.status)) {
    actions.append(el("button", { type: "button", id: "claim", onclick: act(c.id, () => post("/claim", {}), say("claimed")), text: say("claim") }));
  }
  if (can("assignments", "edit")) {
    // to another group (its pool, or one of its people) or to someone of the case's own group
    const assign = el("form", { class: "assign-form", onsubmit: act(c.id, (e) => post("/assign", assignBody(e.target)), say("reassigned")) },
      el("button", { type: "submit", text: say("assign") }));
    assignChoices(c.group_id || "", c.assignee || "").then((choices) => assign.prepend(...choices));
    actions.append(assign);
  }
  let replyForm = null;
  if (can("replies", "add")) {
    // an article inserted from the suggestions rides with the reply while its text is still in it
    const carried = (f) => (f.dataset.articleId && f.body.value.includes(f.dataset.articleText) ? { article_id: f.dataset.articleId } : {});
    replyForm = el("form", { class: "reply", onsubmit: act(c.id, async (e) => post("/replies", { body: e.target.body.value, ...carried(e.target), ...(await uploadPicked(kbUi(), c.id, e.target)) }), say("replied")) },
      field(say("reply_label"), el("textarea", { name: "body", rows: 4, required: true })), filePicker(kbUi()),
      el("button", { type: "submit", text: say("send_reply") }));
    actions.append(replyForm);
  }
  if (can("notes", "add")) {
    actions.append(el("form", { class: "note", onsubmit: act(c.id, async (e) => post("/notes", { body: e.target.body.value, ...(await uploadPicked(kbUi(), c.id, e.target)) }), say("noted")) },
      field(say("note_label"), el("textarea", { name: "body", rows: 3, required: true })), filePicker(kbUi()),
      el("button", { type: "submit", text: say("add_note") })));
  }
  if (can("cases", "edit")) {
    actions.append(el("form", { class: "status-form", onsubmit: act(c.id, (e) => post("/status", { status: e.target.status.value }), say("status_changed")) },
      // merged is reached by merging, never chosen as a status
      field(say("col_status"), select("status", vocab().statuses.filter((s) => s !== "merged"), c.status, "status_")),
      el("button", { type: "submit", text: say("change_status") })));
    const fieldsForm = el("form", { class: "fields-form", onsubmit: act(c.id, (e) => api("PATCH", `/cases/${c.id}`, {
      version: v, priority: e.target.priority.value, type: e.target.type.value,
      ...(e.target.category && e.target.category.value ? { category_id: e.target.category.value } : {}) }), say("fields_changed")) },
      field(say("col_priority"), select("priority", vocab().priorities, c.priority, "priority_")),
      field(say("col_type"), select("type", vocab().case_types, c.type, "type_")),
      el("button", { type: "submit", text: say("save_fields") }));
    categoryChoice(c.category_id).then((choice) => fieldsForm.insertBefore(field(say("col_category"), choice), fieldsForm.lastChild));
    actions.append(fieldsForm);
  }
  if (can("calls", "add")) {
    actions.append(el("form", { class: "call-form", onsubmit: act(c.id, (e) => api("POST", `/customers/${c.customer_id}/calls`, {
      direction: e.target.direction.value, outcome: e.target.outcome.value,
      started_at: new Date(Date.now() - Number(e.target.minutes.value || 0) * 60000).toISOString(),
      duration_seconds: Math.round(Number(e.target.minutes.value || 0) * 60),
      notes: e.target.notes.value || undefined, case_id: c.id }), say("call_recorded")) },
      el("fieldset", {}, el("legend", { text: say("record_call") }),
        field(say("direction"), select("direction", ["inbound", "outbound"], "outbound", "direction_")),
        field(say("outcome"), select("outcome", vocab().call_outcomes, "answered", "outcome_")),
        field(say("minutes"), el("input", { name: "minutes", type: "number", min: 0, max: 600, value: 3 })),
        field(say("call_notes"), el("textarea", { name: "notes", rows: 2 })),
        el("button", { type: "submit", text: say("save_call") }))));
  }

  const merging = mergeForm(kbUi(), c);
  if (merging) actions.append(merging);
  const satisfaction = ratingBlock(c);
  if (["resolved", "closed"].includes(c.status) && can("ratings", "add")) {
    actions.append(el("form", { class: "rating-form", onsubmit: act(c.id, (e) => post("/rating", {
      score: Number(e.target.score.value), comment: e.target.comment.value || undefined }), say("rating_recorded")) },
      el("fieldset", {}, el("legend", { text: say("record_rating") }),
        field(say("rating_score"), select("score", Array.from({ length: me.rating_scale || 5 }, (_, i) => String((me.rating_scale || 5) - i)),
          c.agent_rating ? String(c.agent_rating.score) : String(me.rating_scale || 5), `rating_score_${me.rating_scale === 5 || !me.rating_scale ? "" : `${me.rating_scale}_`}`)),
        field(say("rating_comment"), el("textarea", { name: "comment", rows: 2, maxlength: 1000 })),
        el("button", { type: "submit", text: say("save_rating") }))));
  }
  if (c.follow_up && !c.follow_up.done_at && can("cases", "edit")) {
    actions.append(el("form", { class: "follow-up-form", onsubmit: act(c.id, (e) => post("/follow-up/done", {
      note: e.target.note.value || undefined }), say("follow_up_closed")) },
      field(say("follow_up_note"), el("textarea", { name: "note", rows: 2, maxlength: 1000 })),
      el("button", { type: "submit", text: say("follow_up_done") })));
  }
  const history = el("ol", { class: "history", "aria-label": say("history") }, view.history.map((h) => {
    const line = historyEntry(h);
    const sent = messageFiles(kbUi(), h, view.attachments);
    if (sent) line.append(sent);
    const split = splitButton(kbUi(), c, h);
    if (split) line.append(split);
    return line;
  }));
  const notices = (view.notices || []).length ? el("section", {},
    el("h2", { text: say("notices_sent") }),
    el("ul", { class: "notices" }, view.notices.map((n) => el("li", {},
      `${say(`notice_${n.event}`)} → ${say(`audience_${n.audience}`)}: ${noticeState(n)}`,
      n.deliveries.length ? ` (${n.deliveries.map((d) => `${say(`delivery_${d.channel}`)} ${d.to}${d.parts > 1 ? `, ${say("sms_parts", { n: d.parts })}` : ""}`).join("; ")})` : "")))) : null;
  const files = filesSection(kbUi(), view);
  const articles = can("knowledge", "read") ? caseArticles(kbUi(), c, replyForm, post) : null;
  const macros = can("macros", "read") && can("replies", "add") ? caseMacros(macrosUi(), c, replyForm, post) : null;
  // a merged case is read-only: it shows what it was, and where it lives on
  const working = c.status !== "merged";
  const tagsFields = working ? caseTagsFields(kbUi(), c, definitions, post) : null;
  return el("section", { class: "case-panel", "data-version": v }, header, satisfaction, tagsFields, casePeople(macrosUi(), c, post), extras,
    working ? actions : null, working ? macros : null, working ? articles : null,
    el("h2", { text: say("history") }), history, notices, files);
}

/** A notice's state in words. A group's arrival notice that is not mailed at once is kept as
 *  `skipped` with the reason in its note (domain/staff_notices.py, docs/notifications.md): it
 *  went into the group's digest, or the group gets no email, or the case was assigned as it
 *  arrived; "skipped" alone would read as if the group was never told. */
function noticeState(n) {
  const note = n.status === "skipped" ? n.note || "" : "";
  if (/^arrivals: digest \d/.test(note)) return say("notice_arrival_digest");
  if (note.startsWith("arrivals: none")) return say("notice_arrival_queue_only");
  if (note.startsWith("arrivals: digest (assigned")) return say("notice_arrival_assigned");
  return say(`notice_status_${n.status}`);
}

/** The case's satisfaction: the customer's rating (score, comment, when), the score an agent
 *  recorded from the phone (apart), and an open follow-up a low score put on it. */
function ratingBlock(c) {
  const line = (r) => el("li", { class: `rating r-${r.source}`, "data-score": r.score },
    say(`rating_source_${r.source}`), ": ", el("strong", { text: say("rating_of", { score: r.score, scale: r.scale }) }),
    " · ", el("time", { datetime: r.at, text: when(r.at) }),
    r.source === "agent" && r.by ? ` · ${staffName(r.by)}` : "",
    // the comment on its own line, not run on after the time ("08:35"Kargo…")
    r.comment ? el("p", { class: "rating-comment" }, el("q", { class: "body", text: r.comment })) : null);
  const ratings = [c.rating, c.agent_rating].filter(Boolean);
  const open = c.follow_up && !c.follow_up.done_at;
  if (!ratings.length && !open) return null;
  return el("section", { class: "satisfaction", "aria-label": say("satisfaction") },
    el("h2", { text: say("satisfaction") }),
    open ? el("p", { class: "flag f-follow_up", role: "note", text: say("follow_up_open", { score: c.follow_up.score }) }) : null,
    ratings.length ? el("ul", {}, ratings.map(line)) : null);
}

