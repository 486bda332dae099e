// The search box's screen: a case number opens the case; otherwise the customers the text
// names and the cases, pre-cases and articles that hold its words (textsearch.js); one
// customer shows their screen (customer.js), none the form that registers a new caller.
// Loaded when a search is first made; the frame's helpers come through wire(ui).

import { el } from "./shared/dom.js";
import { ApiError } from "./shared/api.js";
import { textHits, wordy } from "./textsearch.js";
import { customerCases, newCallerForm, wire as wireCustomer } from "./customer.js";

let say, api, can, reportsUi;

/** Takes the frame's helpers (console.js `frameUi`) and hands them to customer.js too. */
export function wire(ui) {
  ({ say, api, can, reportsUi } = ui);
  wireCustomer(ui);
}

/** The search box: a case number opens the case; otherwise the customers the text names (by
 *  number, phone, email, order, name or serial) and, when it has words, the cases, pre-cases
 *  and articles whose text holds them (textsearch.js). One customer: their cases screen; none
 *  and no text found either: the form that registers a new caller. */
export async function search(_, text) {
  if (/^\d{4}-\d{6}$/.test(text)) { location.hash = `#/case/${text}`; return []; }
  const texts = wordy(text) ? textHits(reportsUi(), text) : Promise.resolve({ nodes: [], count: 0, cases: 0 });
  // a customer number is what the API takes (^[A-Za-z0-9-]{1,32}$): words with a space are
  // never one, and asking would be a 422 in the browser's console on every such search
  const number = /^[A-Za-z0-9-]{1,32}$/.test(text) ? [`customer_number=${encodeURIComponent(text)}`] : [];
  const lookups = text.includes("@") ? [`email=${encodeURIComponent(text)}`]
    : /^[+0-9 ()-]{7,}$/.test(text) ? [`phone=${encodeURIComponent(text)}`, ...number, `order_number=${encodeURIComponent(text)}`]
    : [...number, `order_number=${encodeURIComponent(text)}`];
  const found = new Map();
  const quiet = (promise) => promise.catch((error) => {
    if (error instanceof ApiError && [404, 422].includes(error.status)) return null;
    throw error;
  });
  for (const one of await Promise.all(lookups.map((q) => quiet(api("GET", `/customers?${q}`))))) {
    if (one) found.set(one.id, one);
  }
  if (!text.includes("@") && /\p{L}{2}/u.test(text)) {
    const byName = await quiet(api("GET", `/customer-search?name=${encodeURIComponent(text)}`));
    for (const one of (byName && byName.items) || []) found.set(one.id, one);
  }
  if (!found.size && !text.includes("@")) {
    const owner = await ownerOfSerial(text, quiet);
    if (owner) found.set(owner.id, owner);
  }
  const heading = el("h1", { text: say("title_search", { q: text }) });
  const textFound = await texts;
  // words no case holds: the index lags the table by its batching window (docs/search.md),
  // so say so, and where a case opened seconds ago is already (the group pool); one customer
  // found shows their cases instead
  const hits = textFound.cases === 0 && wordy(text) && found.size !== 1
    ? { ...textFound, nodes: [...textFound.nodes, el("p", { class: "empty search-no-cases", text: say("search_no_cases") })] }
    : textFound;
  if (found.size === 1) return [heading, ...(await customerCases([...found.values()][0])), hits.nodes];
  if (!found.size) return [heading, hits.nodes, el("p", { class: "empty", text: say("nothing_found") }), await newCallerForm(text)];
  return [heading, hits.count ? el("h2", { text: say("search_customers") }) : null,
    el("ul", { class: "matches" }, [...found.values()].map((c) => el("li", {},
      el("a", { href: `#/customer/${c.id}`, text: c.name }), ` · ${c.phone || ""} · ${c.email || ""} · ${c.customer_number || ""}`))),
    hits.nodes];
}

/** Whose a serial number is, when the search text is one (a unit in the caller's hand). */
async function ownerOfSerial(text, quiet) {
  if (!can("registrations", "read") || !/^[\w-]{4,100}$/u.test(text.replace(/\s/g, ""))) return null;
  const unit = await quiet(api("GET", `/registrations?serial=${encodeURIComponent(text)}`));
  return unit ? quiet(api("GET", `/customers/${encodeURIComponent(unit.customer_id)}`)) : null;
}
