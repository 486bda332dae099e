// destek console: the knowledge base (docs/knowledge-base.md). The list by state and
// category, the editor (Turkish and English tabs, preview, submit, approve or send back,
// archive, files, versions, history, counters), and the articles beside a case (suggested
// ones to insert into the reply, links to the case). Imported by console.js, which hands in
// its helpers (`ui`); every text comes from the strings files through ui.say, and article
// text reaches the page through textContent only (plain text: paragraphs and steps).

const STATES = ["published", "review", "draft", "archived"];
const LANGS = ["tr", "en"];
const COUNTS = ["views", "suggested", "inserted", "resolved_links", "helpful_yes", "helpful_no"];

/** Plain text as paragraphs (split by blank lines) and numbered steps ("1. ..." lines). */
export function articleBody(ui, text) {
  const { el } = ui;
  return el("div", { class: "article-body" }, String(text || "").split(/\n\s*\n/).map((block) => {
    const lines = block.split("\n").map((l) => l.trim()).filter(Boolean);
    if (lines.length && lines.every((l) => /^\d+[.)]\s+/.test(l))) {
      return el("ol", {}, lines.map((l) => el("li", { text: l.replace(/^\d+[.)]\s+/, "") })));
    }
    return el("p", { text: lines.join("\n") });
  }));
}

/** #/kb: articles of one state (and category), newest edit first. */
export async function knowledgeView(ui, arg) {
  const { el, say } = ui;
  const [stateArg, category] = String(arg || "published").split(":");
  const state = STATES.includes(stateArg) ? stateArg : "published";
  const query = `state=${state}${category ? `&category_id=${encodeURIComponent(category)}` : ""}&limit=100`;
  const page = await ui.api("GET", `/articles?${query}`);
  const go = (s, c) => { location.hash = `#/kb/${s}${c ? `:${c}` : ""}`; };
  const stateChoice = el("select", { name: "state", onchange: (e) => go(e.target.value, category) },
    STATES.map((s) => el("option", { value: s, selected: s === state, text: say(`kb_state_${s}`) })));
  const categoryChoice = await ui.categoryChoice(category || "");
  categoryChoice.addEventListener("change", (e) => go(state, e.target.value));
  const rows = page.items.map((a) => {
    const text = a.working.content.texts[ui.lang] || Object.values(a.working.content.texts)[0];
    return el("tr", { "data-article": a.id },
      el("td", {}, el("a", { href: `#/article/${a.id}`, text: text.title })),
      el("td", { text: say(`kb_state_${a.state}`) }),
      el("td", { text: ui.categoryName(a.working.content.category_id) }),
      el("td", { text: say(`kb_visibility_${a.working.content.visibility}`) }),
      el("td", { text: Object.keys(a.working.content.texts).join(", ") }),
      el("td", { text: `${a.counts.views} / ${a.counts.inserted} / ${a.counts.resolved_links}` }),
      el("td", { text: ui.when(a.updated_at) }));
  });
  return [
    el("h1", { text: say("kb_title") }),
    el("div", { class: "filters" }, ui.field(say("kb_state"), stateChoice), ui.field(say("col_category"), categoryChoice),
      ui.can("knowledge", "add") ? el("a", { class: "button", href: "#/article/new", text: say("kb_new") }) : null),
    rows.length
      ? el("table", { class: "list" },
        el("thead", {}, el("tr", {}, ["title", "state", "category", "visibility", "languages", "counts", "updated"]
          .map((k) => el("th", { scope: "col", text: say(`kb_col_${k}`) })))),
        el("tbody", {}, rows))
      : el("p", { class: "empty", text: say("kb_none") }),
  ];
}

function editorTabs(ui, content) {
  const { el, say } = ui;
  const panels = LANGS.map((lang) => {
    const text = (content && content.texts[lang]) || { title: "", problem: "", solution: "" };
    return el("fieldset", { class: "lang-panel", "data-lang": lang, role: "tabpanel", hidden: lang !== "tr" },
      el("legend", { text: say(`kb_lang_${lang}`) }),
      ui.field(say("kb_field_title"), el("input", { name: `${lang}_title`, maxlength: 200, value: text.title })),
      ui.field(say("kb_field_problem"), el("textarea", { name: `${lang}_problem`, rows: 3, text: text.problem })),
      ui.field(say("kb_field_solution"), el("textarea", { name: `${lang}_solution`, rows: 8, text: text.solution,
        placeholder: say("kb_solution_hint") })));
  });
  const tabs = el("div", { class: "tabs", role: "tablist" }, LANGS.map((lang) => el("button", {
    type: "button", role: "tab", "data-tab": lang, "aria-selected": lang === "tr" ? "true" : "false",
    text: say(`kb_lang_${lang}`), onclick: (e) => {
      for (const b of tabs.querySelectorAll("[role=tab]")) b.setAttribute("aria-selected", String(b === e.target));
      for (const p of panels) p.hidden = p.dataset.lang !== lang;
    } })));
  return [tabs, ...panels];
}

function fieldsOf(form) {
  const texts = {};
  for (const lang of LANGS) {
    const value = (k) => form.elements[`${lang}_${k}`].value.trim();
    if (value("title") || value("problem") || value("solution")) {
      texts[lang] = { title: value("title"), problem: value("problem"), solution: value("solution") };
    }
  }
  return { texts, visibility: form.elements.visibility.value,
    ...(form.elements.category.value ? { category_id: form.elements.category.value } : {}),
    ...(form.elements.topic.value.trim() ? { topic: form.elements.topic.value.trim() } : {}) };
}

/** #/article/<id> (or new): the editor, preview, workflow buttons, files, versions, history. */
export async function articleView(ui, id) {
  const { el, say } = ui;
  const fresh = id === "new";
  const a = fresh ? null : await ui.api("GET", `/articles/${encodeURIComponent(id)}`);
  const content = a ? a.working.content : null;
  const run = (work, message) => async (event) => {
    event.preventDefault();
    try {
      const saved = await work(event);
      location.hash = `#/article/${saved.id}`;
      await ui.refresh();
      ui.notice(say(message));
    } catch (error) {
      ui.problem(ui.explain(error));
    }
  };
  const category = await ui.categoryChoice(content ? content.category_id || "" : "");
  category.name = "category";
  const form = el("form", { id: "article-editor", novalidate: true, onsubmit: run((e) => (fresh
    ? ui.api("POST", "/articles", fieldsOf(e.target))
    : ui.api("PUT", `/articles/${a.id}`, { ...fieldsOf(e.target), revision: a.revision })), "kb_saved") },
    ...editorTabs(ui, content),
    ui.field(say("col_category"), category),
    ui.field(say("kb_field_topic"), el("input", { name: "topic", maxlength: 64, value: content ? content.topic || "" : "" })),
    ui.field(say("kb_field_visibility"), el("select", { name: "visibility" }, ["internal", "public"].map((v) =>
      el("option", { value: v, selected: content ? content.visibility === v : v === "internal", text: say(`kb_visibility_${v}`) })))),
    el("button", { type: "submit", text: say("kb_save") }),
    el("button", { type: "button", class: "secondary", id: "kb-preview-button", text: say("kb_preview"), onclick: () => {
      const fields = fieldsOf(form);
      const shown = fields.texts[ui.lang] || Object.values(fields.texts)[0];
      preview.replaceChildren(...(shown ? [el("h2", { text: shown.title }), el("p", { class: "problem", text: shown.problem }),
        articleBody(ui, shown.solution)] : []));
      preview.hidden = false;
    } }));
  const preview = el("section", { class: "kb-preview", "aria-label": say("kb_preview"), hidden: true });
  if (fresh) return [el("h1", { text: say("kb_new") }), form, preview];

  const body = { revision: a.revision };
  const moves = el("div", { class: "actions kb-moves" },
    a.state === "draft" && ui.can("knowledge", "edit")
      ? el("button", { type: "button", id: "kb-submit", onclick: run(() => ui.api("POST", `/articles/${a.id}/submit`, body), "kb_submitted"), text: say("kb_submit") }) : null,
    a.state === "review" && ui.can("knowledge_publishing", "edit")
      ? el("button", { type: "button", id: "kb-approve", onclick: run(() => ui.api("POST", `/articles/${a.id}/approve`, body), "kb_approved"), text: say("kb_approve") }) : null,
    a.state === "review" && ui.can("knowledge_publishing", "edit")
      ? el("form", { class: "kb-reject", onsubmit: run((e) => ui.api("POST", `/articles/${a.id}/reject`, { ...body, note: e.target.note.value }), "kb_rejected") },
        ui.field(say("kb_reject_note"), el("input", { name: "note", required: true, maxlength: 200 })),
        el("button", { type: "submit", class: "secondary", text: say("kb_reject") })) : null,
    a.state !== "archived" && ui.can("knowledge_publishing", "edit")
      ? el("button", { type: "button", class: "secondary", onclick: run(() => ui.api("POST", `/articles/${a.id}/archive`, body), "kb_archived"), text: say("kb_archive") }) : null);
  const upload = el("form", { class: "kb-file", onsubmit: run(async (e) => {
    const file = e.target.file.files[0];
    const form = await ui.api("POST", `/articles/${a.id}/files`, { filename: file.name, content_type: file.type, size: file.size });
    const data = new FormData();
    for (const [k, v] of Object.entries(form.fields)) data.append(k, v);
    data.append("file", file);
    await fetch(form.url, { method: "POST", body: data });
    return ui.api("POST", `/articles/${a.id}/files/${form.attachment_id}`);
  }, "kb_file_added") },
    ui.field(say("kb_add_file"), el("input", { type: "file", name: "file", required: true, accept: "image/*,application/pdf,text/plain" })),
    el("button", { type: "submit", class: "secondary", text: say("kb_upload") }));
  const files = content.files.length ? el("ul", { class: "kb-files" }, content.files.map((f) => el("li", {},
    f.content_type.startsWith("image/") ? el("img", { src: f.url, alt: f.filename, class: "kb-image" }) : null,
    el("a", { href: f.url, text: f.filename })))) : null;
  const [versions, history] = await Promise.all([ui.api("GET", `/articles/${a.id}/versions`), ui.api("GET", `/articles/${a.id}/history`)]);
  const versionList = el("ol", { class: "kb-versions" }, versions.map((v) => {
    const text = v.content.texts[ui.lang] || Object.values(v.content.texts)[0];
    return el("li", { "data-version": v.number },
      el("details", {}, el("summary", { text: say("kb_version_line", { n: v.number, who: ui.staffName(v.saved_by.id), at: ui.when(v.saved_at) })
        + (a.live && a.live.number === v.number ? ` · ${say("kb_live")}` : "") }),
      el("h3", { text: text.title }), articleBody(ui, text.solution)));
  }));
  const historyList = el("ol", { class: "history" }, history.map((h) => el("li", {},
    `${say(`kb_move_${h.move}`)} · ${ui.staffName(h.actor.id)} · ${ui.when(h.at)} · ${say("kb_version_n", { n: h.version })}`,
    h.note ? el("q", { text: h.note }) : null)));
  const counts = el("dl", { class: "facts kb-counts" }, COUNTS.flatMap((k) => [el("dt", { text: say(`kb_count_${k}`) }),
    el("dd", { "data-count": k, text: String(a.counts[k]) })]));
  const title = (content.texts[ui.lang] || Object.values(content.texts)[0]).title;
  return [
    el("h1", { text: title }),
    el("p", { class: "kb-state", "data-state": a.state }, `${say(`kb_state_${a.state}`)} · ${say("kb_version_n", { n: a.working.number })}`,
      a.live ? ` · ${say("kb_live_version", { n: a.live.number })}` : "", a.state === "published" && a.working.content.visibility === "public" ? ` · /kb/articles/${a.slug}` : ""),
    a.review_note ? el("p", { class: "flag", role: "note", text: say("kb_sent_back", { note: a.review_note }) }) : null,
    counts, moves, form, preview, files, ui.can("knowledge", "edit") ? upload : null,
    el("h2", { text: say("kb_versions") }), versionList,
    el("h2", { text: say("kb_history") }), historyList,
  ];
}

/** Beside a case: its suggested articles (insert into the reply box, link to the case) and
 *  the ones linked. `replyForm`: the case's reply form (its textarea takes the text, its
 *  dataset the article id, sent with the reply). */
export function caseArticles(ui, c, replyForm, post) {
  const { el, say } = ui;
  const box = el("section", { class: "kb-suggested", "aria-label": say("kb_suggested") }, el("h2", { text: say("kb_suggested") }));
  ui.api("GET", `/cases/${c.id}/articles`).then((found) => {
    const items = found.suggested.map((s) => el("li", { "data-article": s.article_id },
      el("details", {}, el("summary", { text: s.title }), el("p", { class: "problem", text: s.problem }), articleBody(ui, s.solution)),
      replyForm && c.status !== "closed" ? el("button", { type: "button", class: "secondary kb-insert", text: say("kb_insert"), onclick: () => {
        const area = replyForm.elements.body;
        area.value = area.value.trim() ? `${area.value.trim()}\n\n${s.solution}` : s.solution;
        replyForm.dataset.articleId = s.article_id;
        replyForm.dataset.articleText = s.solution;
        area.focus();
        ui.notice(say("kb_inserted"));
      } }) : null,
      ui.can("cases", "edit") && c.status !== "closed" ? el("button", { type: "button", class: "secondary kb-link", text: say("kb_link"),
        onclick: ui.act(c.id, () => post("/articles", { article_id: s.article_id }), say("kb_linked")) }) : null));
    box.append(items.length ? el("ul", { class: "kb-list" }, items) : el("p", { class: "empty", text: say("kb_no_suggestions") }));
    if (found.linked.length) {
      box.append(el("h3", { text: say("kb_linked_title") }), el("ul", { class: "kb-linked" }, found.linked.map((l) =>
        el("li", {}, el("a", { href: `#/article/${l.article_id}`, text: l.title || l.article_id }),
          ` · ${ui.staffName(l.by)} · ${ui.when(l.at)}`))));
    }
  }).catch((error) => box.append(el("p", { class: "empty", text: ui.explain(error) })));
  return box;
}
