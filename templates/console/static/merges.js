// destek console: merge and split on the case screen (docs/merge-and-split.md). A merged
// case shows a banner linking to the case that carries on; an open case offers "merge into
// another case" (pick it by number, from this customer's open cases, then confirm what will
// happen) and, on each customer message, "split into a new case". Imported by console.js,
// which hands in its helpers (`ui`); every text comes from the strings files through ui.say.

const DONE = ["closed", "merged"];

/** The banner of a merged case: where it lives on. */
export function mergedBanner(ui, c) {
  if (c.status !== "merged" || !c.merged_into_number) return null;
  const { el, say } = ui;
  const number = c.merged_into_number;
  return el("p", { class: "flag merged-banner", role: "note" },
    say("merged_banner", { number }), " ",
    el("a", { href: `#/case/${number}`, text: say("merged_banner_link", { number }) }));
}

/** The merge form: a case number (this customer's open cases are offered), then a
 *  confirmation naming both cases and what happens, then the merge. */
export function mergeForm(ui, c) {
  if (DONE.includes(c.status) || !ui.can("cases", "edit")) return null;
  const { el, say } = ui;
  const listId = `merge-targets-${c.id}`;
  const options = el("datalist", { id: listId });
  const input = el("input", { name: "into", required: true, list: listId, autocomplete: "off",
    pattern: "\\d{4}-\\d{6}", maxlength: 11 });
  const confirmBox = el("div", { class: "merge-confirm", hidden: true });
  const form = el("form", { class: "merge-form" },
    el("fieldset", {}, el("legend", { text: say("merge_title") }),
      ui.field(say("merge_target"), input), options,
      el("p", { class: "hint", text: say("merge_same_customer_only") }),
      el("button", { type: "submit", class: "secondary", text: say("merge_find") }), confirmBox));
  ui.api("GET", `/cases?view=customer&customer_id=${encodeURIComponent(c.customer_id)}&limit=50`)
    .then((page) => options.replaceChildren(...page.items
      .filter((x) => x.id !== c.id && !DONE.includes(x.status))
      .map((x) => el("option", { value: x.number, text: `${x.number} · ${x.subject}` }))))
    .catch(() => null);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let target;
    try {
      target = (await ui.api("GET", `/cases/${encodeURIComponent(input.value.trim())}`)).case;
    } catch (error) {
      ui.problem(ui.explain(error));
      return;
    }
    const names = { from: c.number, into: target.number };
    const merge = ui.act(c.id, () => ui.api("POST", `/cases/${c.id}/merge`, {
      version: c.version, into: target.id, into_version: target.version }),
    say("merge_done", { number: target.number }));
    confirmBox.replaceChildren(
      el("p", { text: say("merge_confirm_text", names) }),
      el("button", { type: "button", class: "danger merge-go", onclick: merge, text: say("merge_confirm", names) }),
      " ",
      el("button", { type: "button", class: "secondary", text: say("merge_cancel"),
        onclick: () => { confirmBox.hidden = true; confirmBox.replaceChildren(); } }));
    confirmBox.hidden = false;
    confirmBox.querySelector(".merge-go").focus();
  });
  return form;
}

/** A "split into a new case" button for a customer's message of an open case. */
export function splitButton(ui, c, h) {
  if (DONE.includes(c.status) || !ui.can("cases", "add")) return null;
  if (h.kind !== "reply" || h.actor.kind !== "customer") return null;
  const { el, say } = ui;
  return el("button", { type: "button", class: "secondary split", text: say("split_action"),
    onclick: async (event) => {
      event.target.setAttribute("aria-busy", "true");
      try {
        const made = await ui.api("POST", `/cases/${c.id}/split`, { version: c.version, entry_id: h.id });
        location.hash = `#/case/${made.case.number}`;
        ui.notice(say("split_done", { number: made.case.number }));
      } catch (error) {
        ui.problem(ui.explain(error));
      } finally {
        event.target.removeAttribute("aria-busy");
      }
    } });
}

/** What a merge or split line says about the other case. */
export function mergeFacts(ui, h) {
  const d = h.data || {};
  const { el, say } = ui;
  const line = (key, number) => el("p", { class: "reason" },
    el("a", { href: `#/case/${number}`, text: say(key, { number }) }));
  if (h.kind === "merged" && d.into_number) return [line("merged_into_line", d.into_number)];
  if (h.kind === "merged" && d.from_number) return [line("merged_from_line", d.from_number)];
  if (h.kind === "split" && d.to_number) return [line("split_to_line", d.to_number)];
  if (h.kind === "split" && d.from_number) return [line("split_from_line", d.from_number)];
  if (d.merged_from_number) return [line("merged_from_line", d.merged_from_number)];
  return [];
}
