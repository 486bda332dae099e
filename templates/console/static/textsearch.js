// destek console: full-text search beside the search box's customer lookup (docs/search.md).
// Words typed into the box also look through the cases, the pre-cases (for those who may read
// them) and the knowledge base's articles (GET /search), best hits first, each with its
// snippet. Imported by console.js, which hands in its helpers (`ui`); every text comes from the
// strings files through ui.say.
//
// The API's titles and snippets are HTML-escaped text with the matched words in <mark></mark>.
// They are never given to innerHTML: marked() parses them in an inert document and copies
// only their text and their <mark> elements (as new nodes), so a case that says
// `<img src=x onerror=...>` shows those characters and nothing else.

/** How many hits of each kind one search shows (the API gives at most 50). */
const LIMITS = { case: 20, precase: 10, article: 10 };
/** The API's longest query (characters); a longer text is searched by its beginning. */
const MAX_QUERY = 200;

/** An escaped, <mark>-ed text from the API as DOM nodes: text, and <mark> around text. */
export function marked(ui, html) {
  const body = new DOMParser().parseFromString(`<!doctype html><body>${String(html || "")}`, "text/html").body;
  return [...body.childNodes].map((node) => (node.nodeType === Node.ELEMENT_NODE && node.localName === "mark"
    ? ui.el("mark", { text: node.textContent })
    : document.createTextNode(node.textContent)));
}

/** Whether a search text is words to look for in the texts (not an address or a number). */
export function wordy(text) {
  return !text.includes("@") && /\p{L}{2}/u.test(text);
}

/** The hits for `text`: { nodes: a section per kind that found something, count: all hits,
 *  cases: the cases among them, null when the case search was refused }.
 *  A kind the caller may not read (403) or a text without words (422) finds nothing; any
 *  other refusal is said in its section, so the customers found still show. */
export async function textHits(ui, text) {
  const q = encodeURIComponent([...text].slice(0, MAX_QUERY).join(""));
  const kinds = ["case", ...(ui.can("precases", "read") ? ["precase"] : []),
    ...(ui.can("knowledge", "read") ? ["article"] : [])];
  const answers = await Promise.all(kinds.map((kind) => ui.api("GET", `/search?q=${q}&kind=${kind}&limit=${LIMITS[kind]}`)
    .then((found) => found.items, (error) => ([403, 422].includes(error.status) ? [] : error))));
  const nodes = [];
  let count = 0;
  let cases = 0;
  kinds.forEach((kind, i) => {
    const items = answers[i];
    if (Array.isArray(items) && !items.length) return;
    const heading = ui.el("h2", { text: ui.say(`search_${kind}s`) });
    if (!Array.isArray(items)) {
      if (kind === "case") cases = null; // refused: said in its section, not "none found"
      nodes.push(ui.el("section", { class: "search-hits", "data-kind": kind }, heading,
        ui.el("p", { class: "empty", text: ui.explain(items) })));
      return;
    }
    count += items.length;
    if (kind === "case") cases = items.length;
    nodes.push(ui.el("section", { class: "search-hits", "data-kind": kind, "aria-label": ui.say(`search_${kind}s`) },
      heading, ui.el("ol", { class: "hits" }, items.map((hit) => hitItem(ui, hit)))));
  });
  return { nodes, count, cases };
}

function hitItem(ui, hit) {
  const { el, say } = ui;
  const line = (...parts) => el("p", { class: "sub" }, parts.filter(Boolean).join(" · "));
  if (hit.kind === "article") {
    const articleId = hit.id.replace(/\.(tr|en)$/, ""); // an article's documents are one a language
    return el("li", { "data-hit": hit.id },
      el("a", { href: `#/article/${encodeURIComponent(articleId)}` }, marked(ui, hit.title)),
      line(hit.language ? say(`kb_lang_${hit.language}`) : "", ui.when(hit.updated_at)),
      el("p", { class: "snippet" }, marked(ui, hit.snippet)));
  }
  if (hit.kind === "precase") {
    return el("li", { "data-hit": hit.id },
      el("a", { href: `#/precase/${encodeURIComponent(hit.id)}` }, marked(ui, hit.title)),
      line(say(`pre_${hit.status}`), hit.ref ? say("search_became_case", { number: hit.ref }) : "", ui.when(hit.updated_at)),
      el("p", { class: "snippet" }, marked(ui, hit.snippet)));
  }
  return el("li", { "data-hit": hit.id },
    el("a", { href: `#/case/${encodeURIComponent(hit.id)}`, class: "number", text: hit.ref || hit.id }), " ",
    el("span", { class: `status s-${hit.status}`, text: say(`status_${hit.status}`) }), " ",
    el("span", { class: "hit-title" }, marked(ui, hit.title)),
    line(ui.groupName(hit.group_id), ui.when(hit.updated_at)),
    el("p", { class: "snippet" }, marked(ui, hit.snippet)));
}
