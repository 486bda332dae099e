// destek's shared front-end library (templates/shared/static/): small native ES modules, no
// build step, served to the console (/console/shared/) and the site (static/shared/) alike.
// dom.js: building the page. Every text reaches it through textContent (el's `text` and its
// string children), never as HTML, so nothing a customer or an agent types can run.

/** An element: el("a", { href, class, text, onclick, "aria-label": … }, ...children). A prop
 *  that is undefined, null or false is left out; true is an empty attribute; a child that is
 *  null, undefined or false is skipped, arrays are flattened, anything else not a Node is text. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** The first element the selector finds, or null. */
export const $ = (selector) => document.querySelector(selector);
