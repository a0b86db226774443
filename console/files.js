// Files and vector stores: upload and delete files; create vector stores from files and follow their
// ingestion (each file's status and error), refreshed while files are still being read; search a store.
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
    // Each store's search form and results, kept across the refreshes that redraw the cards.
    this.searches = new Map();
    this.status = h("p", { class: "status", role: "status" });
    this.fileList = h("ul", { class: "rows", "aria-label": "Files" });
    this.storeList = h("ul", { class: "cards", "aria-label": "Vector stores" });
    this.picker = h("input", { id: "upload-file", name: "file", type: "file", multiple: true });
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
      h(
        "ul",
        { class: "store-file-list", "aria-label": `Files of ${name}` },
        files.data.map((file) =>
          h(
            "li",
            { dataset: { file: file.id, status: file.status } },
            h("span", { class: "name" }, this.names.get(file.id) ?? file.id),
            " ",
            h("span", { class: `badge ${file.status}` }, file.status.replace("_", " ")),
            file.last_error ? h("span", { class: "error" }, ` ${file.last_error.message}`) : null,
          ),
        ),
      ),
      this.searchOf(store.id, name),
      h("p", { class: "mono muted" }, store.id),
      h("div", { class: "actions" }, h("button", { type: "button", class: "danger", "aria-label": `Delete ${name}`, onclick: remove }, "Delete")),
    );
    return [card, counts.in_progress > 0];
  }

  /// The store's search box and its ranked passages, made once per store.
  searchOf(storeID, name) {
    let search = this.searches.get(storeID);
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
    this.searches.set(storeID, search);
    return search;
  }

  async upload(event) {
    event.preventDefault();
    const chosen = [...this.picker.files];
    if (!chosen.length) {
      this.status.textContent = "Choose a file first.";
      return;
    }
    try {
      for (const file of chosen) {
        this.status.textContent = `Uploading ${file.name}…`;
        await uploadFile(file);
      }
      this.status.textContent = `Uploaded ${chosen.map((file) => file.name).join(", ")}.`;
      this.picker.value = "";
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
