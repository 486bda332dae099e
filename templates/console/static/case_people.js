// destek console: the other people on a case (docs/files-and-cc.md). CC: up to 10 email
// addresses that receive the case's public replies and whose mail lands on it; followers:
// up to 20 staff members who hear of its replies, notes and status moves. Each list is
// replaced whole (POST /cases/{id}/cc, /followers); "follow" adds the signed-in member.
// Imported by console.js, which hands in its helpers (`ui`, with `act` and `me`).

const DONE = ["closed", "merged"];
const words = (text) => text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);

/** The people section of a case: who is copied and who follows, editable by those who may
 *  edit the case while it is open. `post(path, body)` sends with the case's version. */
export function casePeople(ui, c, post) {
  const { el, say } = ui;
  const cc = c.cc || [];
  const followers = c.followers || [];
  const editable = ui.can("cases", "edit") && !DONE.includes(c.status);
  if (!editable) {
    if (!cc.length && !followers.length) return null;
    return el("section", { class: "case-people", "aria-label": say("people_title") },
      el("h2", { text: say("people_title") }),
      el("dl", {}, el("dt", { text: say("people_cc") }), el("dd", { text: cc.join(", ") || "—" }),
        el("dt", { text: say("people_followers") }), el("dd", { text: followers.map(ui.staffName).join(", ") || "—" })));
  }
  const ccForm = el("form", { class: "cc-form", onsubmit: ui.act(c.id, (e) => post("/cc", { cc: words(e.target.cc.value) }), say("people_saved")) },
    ui.field(say("people_cc"), el("input", { name: "cc", value: cc.join(", "), autocomplete: "off" })),
    el("p", { class: "hint", text: say("people_cc_hint") }),
    el("button", { type: "submit", class: "secondary", text: say("people_save_cc") }));
  const followersForm = el("form", { class: "followers-form", onsubmit: ui.act(c.id, (e) => post("/followers", { followers: words(e.target.followers.value) }), say("people_saved")) },
    ui.field(say("people_followers"), el("input", { name: "followers", value: followers.join(", "), autocomplete: "off" })),
    el("p", { class: "hint", text: say("people_followers_hint") }),
    el("button", { type: "submit", class: "secondary", text: say("people_save_followers") }));
  const following = followers.includes(ui.me);
  const toggle = el("button", { type: "button", class: "secondary follow-toggle",
    text: say(following ? "people_unfollow" : "people_follow"),
    onclick: ui.act(c.id, () => post("/followers", { followers: following ? followers.filter((u) => u !== ui.me) : [...followers, ui.me] }), say("people_saved")) });
  return el("section", { class: "case-people", "aria-label": say("people_title") },
    el("h2", { text: say("people_title") }), ccForm, followersForm, toggle);
}
