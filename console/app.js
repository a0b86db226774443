// The console's entry point: the key prompt, and the sections behind the URL's fragment
// (#/assistants, #/assistants/new, #/assistants/<id>, #/playground, #/playground/<thread id>,
// #/playground?assistant=<id>, #/files).
import { forgetKey, keysRequired, onKeyNeeded, storedKey, storeKey } from "./api.js";
import { h, fill } from "./dom.js";
import { showAssistants } from "./assistants.js";
import { showPlayground } from "./playground.js";
import { showFiles } from "./files.js";

const main = document.getElementById("main");
const forgetButton = document.getElementById("forget-key");

/// Shows the key dialog until a key is typed; `message` says why it is asked again.
function askForKey(message) {
  const dialog = document.getElementById("key-dialog");
  const form = document.getElementById("key-form");
  const input = document.getElementById("key-input");
  document.getElementById("key-error").textContent = message || "";
  input.value = "";
  return new Promise((resolve) => {
    form.onsubmit = (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (!key) return;
      storeKey(key);
      forgetButton.hidden = false;
      dialog.close();
      resolve();
    };
    // Escape would leave the page with nothing to show: the dialog stays until a key is given.
    dialog.oncancel = (event) => event.preventDefault();
    if (!dialog.open) dialog.showModal();
    input.focus();
  });
}

forgetButton.addEventListener("click", () => {
  forgetKey();
  location.reload();
});

let leave = null;

async function route() {
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, id] = path.split("/");
  const section = name || "assistants";
  const parameters = new URLSearchParams(query ?? "");
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.section === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  // The section being left stops what it does (an open stream) before the next one draws.
  leave?.();
  leave = null;
  try {
    if (section === "playground") leave = await showPlayground(main, id, parameters.get("assistant"));
    else if (section === "files") leave = await showFiles(main);
    else await showAssistants(main, id);
  } catch (error) {
    fill(main, h("p", { class: "error", role: "alert" }, error.message));
  }
}

async function start() {
  onKeyNeeded(askForKey);
  try {
    if (await keysRequired()) {
      if (!storedKey()) await askForKey("");
      forgetButton.hidden = false;
    }
  } catch (error) {
    fill(main, h("p", { class: "error", role: "alert" }, `The server did not answer: ${error.message}`));
    return;
  }
  window.addEventListener("hashchange", route);
  await route();
}

start();
