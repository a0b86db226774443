// Files and vector stores: upload and delete files; create vector stores from files and follow their
// ingestion (each file's status and error), refreshed while files are still being read; search a store;
// edit a store (name, expiration, metadata), remove files from it, delete it.
import { del, get, post, uploadFile } from "./api.js";
import { fill, h, when } from "./dom.js";

const refreshMs = 1500;

export async function showFiles(main) {
  const view = new FilesView(main);
  await view.load();
  return () => view.leave();
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

class FilesView {
  constructor(main) {
    this.timer = null;
    // Each store's search form and results, and its edit form, kept across the refreshes that redraw the cards.
    this.searches = new Map();
    this.edits = new Map();
    this.status = h("p", { class: "status", role: "status" });
    this.fileList = h("ul", { class: "rows", "aria-label": "Files" });
    this.storeList = h("ul", { class: "cards", "aria-label": "Vector stores" });
    this.picker = h("input", { id: "upload-file", name: "file", type: "file", multiple: true });
    // Each upload under way, with how much of it has gone.
    this.uploads = h("ul", { class: "uploads", "aria-label": "Uploads" });
    this.dropZone = h(
      "div",
      {
        class: "drop-zone",
        role: "region",
        "aria-label": "Drop files here to upload them",
        ondragover: (event) => {
          event.preventDefault();
          this.dropZone.classList.add("over");
        },
        ondragleave: () => this.dropZone.classList.remove("over"),
        ondrop: (event) => {
          event.preventDefault();
          this.dropZone.classList.remove("over");
          this.uploadAll([...(event.dataTransfer?.files ?? [])]);
        },
      },
      "Or drop files here.",
    );
    this.storeName = h("input", { id: "store-name", name: "name", maxlength: 256 });
    this.storeFiles = h("fieldset", { class: "store-files" }, h("legend", {}, "Files to add"));
    fill(
      main,
      h("h2", {}, "Files"),
      h(
        "form",
        { class: "inline", "aria-label": "Upload files", onsubmit: (event) => this.upload(event) },
        h("label", { for: "upload-file" }, "File to upload"),
        this.picker,
        h("div", { class: "actions" }, h("button", { type: "submit" }, "Upload")),
      ),
      this.dropZone,
      this.uploads,
      this.status,
      this.fileList,
      h("h2", {}, "Vector stores"),
      h(
        "form",
        { class: "inline", "aria-label": "Create a vector store", onsubmit: (event) => this.createStore(event) },
        h("label", { for: "store-name" }, "Vector store name"),
        this.storeName,
        this.storeFiles,
        h("div", { class: "actions" }, h("button", { type: "submit" }, "Create vector store")),
      ),
      this.storeList,
    );
  }

  leave() {
    clearTimeout(this.timer);
    this.timer = null;
    this.left = true;
  }

  async load() {
    const [files, stores] = await Promise.all([get("/v1/files?limit=100"), get("/v1/vector_stores?limit=100")]);
    this.names = new Map(files.data.map((file) => [file.id, file.filename]));
    fill(this.fileList, files.data.map((file) => this.fileRow(file)));
    if (!files.data.length) this.fileList.append(h("li", { class: "status" }, "No files yet."));
    fill(
      this.storeFiles,
      h("legend", {}, "Files to add"),
      files.data.map((file) =>
        h("label", { class: "check" }, h("input", { type: "checkbox", name: "file_ids", value: file.id }), file.filename),
      ),
    );
    const busy = await Promise.all(stores.data.map((store) => this.storeCard(store)));
    fill(this.storeList, busy.map(([card]) => card));
    // Ingestion runs in the background: look again while any file is still being read.
    clearTimeout(this.timer);
    if (!this.left && busy.some(([, inProgress]) => inProgress)) this.timer = setTimeout(() => this.refresh(), refreshMs);
  }

  refresh() {
    this.load().catch((error) => (this.status.textContent = error.message));
  }

  fileRow(file) {
    const remove = async () => {
      if (!confirm(`Delete the file “${file.filename}”? It leaves every vector store too.`)) return;
      try {
        await del(`/v1/files/${file.id}`);
        this.status.textContent = `Deleted ${file.filename}.`;
        await this.load();
      } catch (error) {
        this.status.textContent = error.message;
      }
    };
    return h(
      "li",
      { dataset: { file: file.id } },
      h("span", { class: "name" }, file.filename),
      h("span", { class: "muted" }, `${size(file.bytes)} · ${file.purpose} · ${when(file.created_at)}`),
      h("span", { class: "mono muted" }, file.id),
      h("button", { type: "button", class: "danger", "aria-label": `Delete ${file.filename}`, onclick: remove }, "Delete"),
    );
  }

  /// The store's card, and whether any of its files is still being read.
  async storeCard(store) {
    const files = await get(`/v1/vector_stores/${store.id}/files?limit=100`);
    const counts = store.file_counts;
    const name = store.name || store.id;
    const remove = async () => {
      if (!confirm(`Delete the vector store “${name}”? Its files stay.`)) return;
      try {
        await del(`/v1/vector_stores/${store.id}`);
        await this.load();
      } catch (error) {
        this.status.textContent = error.message;
      }
    };
    const card = h(
      "li",
      { class: "card", dataset: { store: store.id } },
      h("h3", {}, name),
      h("p", { class: "muted" }, `${store.status} · ${counts.completed} of ${counts.total} files ready`
        + (counts.in_progress ? `, ${counts.in_progress} in progress` : "")
        + (counts.failed ? `, ${counts.failed} failed` : "")
        + (counts.cancelled ? `, ${counts.cancelled} cancelled` : "")),
      expiration(store),
      metadataList(store.metadata),
      h(
        "ul",
        { class: "store-file-list", "aria-label": `Files of ${name}` },
        files.data.map((file) => {
          const fileName = this.names.get(file.id) ?? file.id;
          const removeFile = async () => {
            try {
              await del(`/v1/vector_stores/${store.id}/files/${file.id}`);
              this.status.textContent = `Removed ${fileName} from ${name}.`;
              await this.load();
            } catch (error) {
              this.status.textContent = error.message;
            }
          };
          return h(
            "li",
            { dataset: { file: file.id, status: file.status } },
            h("span", { class: "name" }, fileName),
            " ",
            h("span", { class: `badge ${file.status}` }, file.status.replace("_", " ")),
            file.last_error ? h("span", { class: "error" }, ` ${file.last_error.message}`) : null,
            " ",
            h("button", { type: "button", class: "quiet small", "aria-label": `Remove ${fileName} from ${name}`, onclick: removeFile }, "Remove"),
          );
        }),
      ),
      this.adderOf(store, name, files.data),
      this.searchOf(store.id, name),
      this.editorOf(store),
      h("p", { class: "mono muted" }, store.id),
      h("div", { class: "actions" }, h("button", { type: "button", class: "danger", "aria-label": `Delete ${name}`, onclick: remove }, "Delete")),
    );
    return [card, counts.in_progress > 0];
  }

  /// A form that adds one of the uploaded files the store does not hold yet; its ingestion then shows.
  adderOf(store, name, held) {
    const missing = [...this.names].filter(([id]) => !held.some((file) => file.id === id));
    if (!missing.length) return null;
    const id = `add-${store.id}`;
    const picker = h("select", { id, name: "file_id" }, missing.map(([fileID, fileName]) => h("option", { value: fileID }, fileName)));
    const add = async (event) => {
      event.preventDefault();
      try {
        await post(`/v1/vector_stores/${store.id}/files`, { file_id: picker.value });
        this.status.textContent = `Added ${this.names.get(picker.value)} to ${name}.`;
        await this.load();
      } catch (error) {
        this.status.textContent = error.message;
      }
    };
    return h(
      "form",
      { class: "store-add", "aria-label": `Add a file to ${name}`, onsubmit: add },
      h("label", { for: id }, `File to add to ${name}`),
      h("div", { class: "search-row" }, picker, h("button", { type: "submit" }, "Add")),
    );
  }

  /// The store's edit form (name, days of inactivity before it expires, metadata), made once per store and
  /// filled from the store as last read each time it is opened.
  editorOf(store) {
    let edit = this.edits.get(store.id);
    if (!edit) {
      const id = `edit-${store.id}`;
      const nameField = h("input", { id: `${id}-name`, name: "name", maxlength: 256 });
      const daysField = h("input", { id: `${id}-days`, name: "days", type: "number", min: 1, max: 365, step: 1 });
      const metadataField = h("textarea", { id: `${id}-metadata`, name: "metadata", rows: 3, class: "mono", spellcheck: "false" });
      const error = h("p", { class: "error", role: "alert" });
      const form = h(
        "form",
        { class: "store-edit" },
        h("label", { for: `${id}-name` }, "Name"),
        nameField,
        h("label", { for: `${id}-days` }, "Expires after days of inactivity (empty: never)"),
        daysField,
        h("label", { for: `${id}-metadata` }, "Metadata (one key=value a line)"),
        metadataField,
        error,
        h("div", { class: "actions" }, h("button", { type: "submit" }, "Save changes")),
      );
      const summary = h("summary", {});
      const details = h("details", { class: "store-editor" }, summary, form);
      edit = { details, summary, form, latest: store };
      details.addEventListener("toggle", () => {
        if (!details.open) return;
        const latest = edit.latest;
        nameField.value = latest.name ?? "";
        daysField.value = latest.expires_after?.days ?? "";
        metadataField.value = Object.entries(latest.metadata ?? {}).map(([key, value]) => `${key}=${value}`).join("\n");
        error.textContent = "";
      });
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        error.textContent = "";
        let body;
        try {
          body = {
            name: nameField.value.trim() || null,
            expires_after: daysField.value.trim() ? { anchor: "last_active_at", days: Number(daysField.value) } : null,
            metadata: parseMetadata(metadataField.value),
          };
        } catch (problem) {
          error.textContent = problem.message;
          return;
        }
        try {
          const saved = await post(`/v1/vector_stores/${store.id}`, body);
          edit.latest = saved;
          details.open = false;
          this.status.textContent = `Saved ${saved.name || saved.id}.`;
          await this.load();
        } catch (problem) {
          error.textContent = problem.message;
        }
      });
      this.edits.set(store.id, edit);
    }
    // Named after the store as it is now: it may have been renamed since.
    const name = store.name || store.id;
    edit.latest = store;
    edit.form.setAttribute("aria-label", `Edit ${name}`);
    fill(edit.summary, "Edit", h("span", { class: "visually-hidden" }, ` ${name}`));
    return edit.details;
  }

  /// The store's search box and its ranked passages, made once per store.
  searchOf(storeID, name) {
    // Kept by name too: a renamed store's search is labelled anew.
    const key = `${storeID}\n${name}`;
    let search = this.searches.get(key);
    if (search) return search;
    const id = `search-${storeID}`;
    const query = h("input", { id, name: "query", type: "search", required: true, maxlength: 4096 });
    const status = h("p", { class: "status", role: "status" });
    const results = h("ol", { class: "search-results", "aria-label": `Search results in ${name}` });
    const run = async (event) => {
      event.preventDefault();
      const text = query.value.trim();
      if (!text) return;
      status.textContent = "Searching…";
      try {
        const page = await post(`/v1/vector_stores/${storeID}/search`, { query: text, max_num_results: 10 });
        fill(results, page.data.map((hit) => searchHit(hit)));
        status.textContent = page.data.length ? `${page.data.length} passage(s) found.` : "Nothing found.";
      } catch (error) {
        results.replaceChildren();
        status.textContent = error.message;
      }
    };
    search = h(
      "form",
      { class: "store-search", role: "search", "aria-label": `Passages of ${name}`, onsubmit: run },
      h("label", { for: id }, `Search ${name}`),
      h("div", { class: "search-row" }, query, h("button", { type: "submit" }, "Search")),
      status,
      results,
    );
    this.searches.set(key, search);
    return search;
  }

  async upload(event) {
    event.preventDefault();
    const chosen = [...this.picker.files];
    if (!chosen.length) {
      this.status.textContent = "Choose a file first.";
      return;
    }
    this.picker.value = "";
    await this.uploadAll(chosen);
  }

  /// Uploads the files one after another, each with a progress bar while it goes.
  async uploadAll(files) {
    if (!files.length) return;
    try {
      for (const file of files) {
        this.status.textContent = `Uploading ${file.name}…`;
        const bar = h("progress", { max: 1, value: 0, "aria-label": `Uploading ${file.name}` });
        const row = h("li", {}, h("span", {}, file.name), bar);
        this.uploads.append(row);
        try {
          await uploadFile(file, (fraction) => {
            bar.value = fraction;
          });
        } finally {
          row.remove();
        }
      }
      this.status.textContent = `Uploaded ${files.map((file) => file.name).join(", ")}.`;
      await this.load();
    } catch (error) {
      this.status.textContent = error.message;
    }
  }

  async createStore(event) {
    event.preventDefault();
    const ids = [...this.storeFiles.querySelectorAll("input:checked")].map((input) => input.value);
    const body = { file_ids: ids };
    if (this.storeName.value.trim()) body.name = this.storeName.value.trim();
    try {
      await post("/v1/vector_stores", body);
      this.storeName.value = "";
      await this.load();
    } catch (error) {
      this.status.textContent = error.message;
    }
  }
}

/// `key=value` lines as a metadata object; blank lines are skipped.
function parseMetadata(text) {
  const metadata = {};
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const equals = line.indexOf("=");
    if (equals <= 0) throw new Error(`Metadata lines are key=value: “${line.trim()}” is not.`);
    metadata[line.slice(0, equals).trim()] = line.slice(equals + 1).trim();
  }
  return metadata;
}

/// When the store expires, if it does.
function expiration(store) {
  if (!store.expires_after) return h("p", { class: "muted expiry" }, "Never expires.");
  const at = store.expires_at ? `, on ${when(store.expires_at)} if unused` : "";
  return h("p", { class: "muted expiry" }, `Expires after ${store.expires_after.days} day(s) of inactivity${at}.`);
}

function metadataList(metadata) {
  const entries = Object.entries(metadata ?? {});
  if (!entries.length) return null;
  return h("dl", { class: "metadata", "aria-label": "Metadata" }, entries.flatMap(([key, value]) => [h("dt", {}, key), h("dd", {}, value)]));
}

/// One passage a search found: its file, its score and its text.
function searchHit(hit) {
  return h(
    "li",
    { dataset: { file: hit.file_id } },
    h("span", { class: "name" }, hit.filename),
    " ",
    h("span", { class: "score", title: "Relevance score, 0 to 1" }, `score ${hit.score.toFixed(3)}`),
    h("pre", { class: "passage" }, hit.content.map((part) => part.text).join("\n")),
  );
}
