// Assistants: the list, and a form to create or edit one (name, model, instructions, temperature, response
// format, tools, function tools with their JSON schemas, tool resources picked from the files and vector
// stores), and deletion.
import { del, get, post } from "./api.js";
import { fill, h, when } from "./dom.js";

export async function showAssistants(main, id) {
  if (id) {
    const [assistant, files, stores] = await Promise.all([
      id === "new" ? null : get(`/v1/assistants/${encodeURIComponent(id)}`),
      get("/v1/files?limit=100&purpose=assistants"),
      get("/v1/vector_stores?limit=100"),
    ]);
    return showForm(main, assistant, files.data, stores.data);
  }
  return showList(main);
}

function toolSummary(assistant) {
  return assistant.tools.map((tool) => (tool.type === "function" ? tool.function.name : tool.type)).join(", ") || "none";
}

async function showList(main) {
  const status = h("p", { class: "status", role: "status" });
  const list = h("ul", { class: "cards", "aria-label": "Assistants" });
  fill(
    main,
    h("div", { class: "heading" }, h("h2", {}, "Assistants"), h("a", { class: "button", href: "#/assistants/new" }, "New assistant")),
    status,
    list,
  );
  let after = null;
  const more = h("button", { type: "button", class: "quiet", hidden: true }, "Show more");
  main.append(more);
  async function load() {
    const page = await get(`/v1/assistants?limit=50${after ? `&after=${encodeURIComponent(after)}` : ""}`);
    for (const assistant of page.data) list.append(card(assistant));
    after = page.last_id;
    more.hidden = !page.has_more;
    if (!list.children.length) status.textContent = "No assistants yet.";
  }
  more.addEventListener("click", () => load().catch((error) => (status.textContent = error.message)));
  await load();

  function card(assistant) {
    const name = assistant.name || "(unnamed)";
    const item = h(
      "li",
      { class: "card", dataset: { id: assistant.id } },
      h("h3", {}, h("a", { href: `#/assistants/${assistant.id}` }, name)),
      h(
        "dl",
        {},
        h("dt", {}, "Model"), h("dd", {}, assistant.model),
        h("dt", {}, "Tools"), h("dd", {}, toolSummary(assistant)),
        h("dt", {}, "ID"), h("dd", { class: "mono" }, assistant.id),
        h("dt", {}, "Created"), h("dd", {}, when(assistant.created_at)),
      ),
      h(
        "div",
        { class: "actions" },
        h("a", { class: "button", href: `#/playground?assistant=${assistant.id}`, "aria-label": `Chat with ${name}` }, "Chat"),
        h("a", { class: "button quiet", href: `#/assistants/${assistant.id}`, "aria-label": `Edit ${name}` }, "Edit"),
        h("button", { type: "button", class: "danger", "aria-label": `Delete ${name}`, onclick: remove }, "Delete"),
      ),
    );
    async function remove() {
      if (!confirm(`Delete the assistant “${name}”? Its threads stay.`)) return;
      try {
        await del(`/v1/assistants/${assistant.id}`);
        item.remove();
        status.textContent = `Deleted ${name}.${list.children.length ? "" : " No assistants left."}`;
      } catch (error) {
        status.textContent = error.message;
      }
    }
    return item;
  }
}

/// One function tool's fields: name, description, parameters as a JSON schema.
function functionFields(tool, index) {
  const prefix = `function-${index}`;
  const fn = tool?.function ?? {};
  const fieldset = h(
    "fieldset",
    { class: "function" },
    h("legend", {}, "Function"),
    h("label", { for: `${prefix}-name` }, "Function name"),
    h("input", { id: `${prefix}-name`, name: "function-name", required: true, pattern: "[a-zA-Z0-9_\\-]{1,64}", value: fn.name ?? "" }),
    h("label", { for: `${prefix}-description` }, "Function description"),
    h("input", { id: `${prefix}-description`, name: "function-description", value: fn.description ?? "" }),
    h("label", { for: `${prefix}-parameters` }, "Parameters (JSON schema)"),
    h(
      "textarea",
      { id: `${prefix}-parameters`, name: "function-parameters", rows: 6, class: "mono", spellcheck: "false" },
      JSON.stringify(fn.parameters ?? { type: "object", properties: {} }, null, 2),
    ),
  );
  fieldset.append(
    h("button", { type: "button", class: "quiet", onclick: () => fieldset.remove() }, "Remove function"),
  );
  return fieldset;
}

/// The files for the code interpreter (checkboxes) and the vector store for file search (a store at most,
/// as the API allows). Ids the assistant holds that are not listed (a file of another purpose, a store
/// beyond the first page) are offered too, by id, so that saving keeps them.
function resourceFields(assistant, files, stores) {
  const fileIDs = assistant?.tool_resources?.code_interpreter?.file_ids ?? [];
  const storeID = assistant?.tool_resources?.file_search?.vector_store_ids?.[0] ?? "";
  const fileChoices = files.map((file) => [file.id, file.filename]);
  for (const id of fileIDs) if (!files.some((file) => file.id === id)) fileChoices.push([id, id]);
  const storeChoices = stores.map((store) => [store.id, store.name || store.id]);
  if (storeID && !stores.some((store) => store.id === storeID)) storeChoices.push([storeID, storeID]);
  return h(
    "fieldset",
    { class: "resources" },
    h("legend", {}, "Tool resources"),
    h(
      "fieldset",
      { class: "resource-files" },
      h("legend", {}, "Code interpreter files"),
      fileChoices.length
        ? fileChoices.map(([id, name]) =>
          h("label", { class: "check" }, h("input", { type: "checkbox", name: "code_interpreter_file", value: id, checked: fileIDs.includes(id) }), name))
        : h("p", { class: "muted" }, "No files uploaded yet (Files page)."),
    ),
    h("label", { for: "assistant-vector-store" }, "File search vector store"),
    h(
      "select",
      { id: "assistant-vector-store", name: "vector_store" },
      h("option", { value: "" }, "None"),
      storeChoices.map(([id, name]) => h("option", { value: id, selected: id === storeID }, name)),
    ),
  );
}

function showForm(main, assistant, files, stores) {
  const editing = assistant !== null;
  const has = (type) => assistant?.tools.some((tool) => tool.type === type) ?? false;
  const error = h("p", { class: "error", role: "alert" });
  const functions = h("div", { class: "functions" });
  let count = 0;
  for (const tool of assistant?.tools ?? []) {
    if (tool.type === "function") functions.append(functionFields(tool, count++));
  }
  const form = h(
    "form",
    { class: "editor", "aria-labelledby": "editor-title", novalidate: true },
    h("h2", { id: "editor-title" }, editing ? `Edit ${assistant.name || assistant.id}` : "New assistant"),
    editing ? h("p", { class: "mono" }, assistant.id) : null,
    h("label", { for: "assistant-name" }, "Name"),
    h("input", { id: "assistant-name", name: "name", maxlength: 256, value: assistant?.name ?? "" }),
    h("label", { for: "assistant-model" }, "Model"),
    h("input", { id: "assistant-model", name: "model", required: true, value: assistant?.model ?? "", placeholder: "gpt-4o" }),
    h("label", { for: "assistant-instructions" }, "Instructions"),
    h("textarea", { id: "assistant-instructions", name: "instructions", rows: 6 }, assistant?.instructions ?? ""),
    h("label", { for: "assistant-temperature" }, "Temperature"),
    h("input", {
      id: "assistant-temperature", name: "temperature", type: "number", min: 0, max: 2, step: 0.1,
      value: assistant?.temperature ?? "",
    }),
    responseFormatFields(assistant),
    h(
      "fieldset",
      { class: "tools" },
      h("legend", {}, "Tools"),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "code_interpreter", checked: has("code_interpreter") }), "Code interpreter"),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "file_search", checked: has("file_search") }), "File search"),
      functions,
      h("button", { type: "button", class: "quiet", onclick: () => functions.append(functionFields(null, count++)) }, "Add function"),
    ),
    resourceFields(assistant, files, stores),
    error,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit" }, editing ? "Save" : "Create assistant"),
      h("a", { class: "button quiet", href: "#/assistants" }, "Cancel"),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    let body;
    try {
      body = readForm(form);
    } catch (problem) {
      error.textContent = problem.message;
      problem.field?.setAttribute("aria-invalid", "true");
      problem.field?.focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await post(editing ? `/v1/assistants/${assistant.id}` : "/v1/assistants", body);
      location.hash = "#/assistants";
    } catch (problem) {
      error.textContent = problem.message;
    } finally {
      button.disabled = false;
    }
  });
  fill(main, form);
  form.elements.name.focus();
}

/// The create or modify request; throws an Error with `field` set for what the user must fix.
function readForm(form) {
  const fields = form.elements;
  for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  const invalid = (message, field) => Object.assign(new Error(message), { field });
  const model = fields.model.value.trim();
  if (!model) throw invalid("A model is required.", fields.model);
  const tools = [];
  if (fields.code_interpreter.checked) tools.push({ type: "code_interpreter" });
  if (fields.file_search.checked) tools.push({ type: "file_search" });
  for (const fieldset of form.querySelectorAll("fieldset.function")) {
    const name = fieldset.querySelector("[name=function-name]");
    const description = fieldset.querySelector("[name=function-description]");
    const parameters = fieldset.querySelector("[name=function-parameters]");
    if (!name.value.trim()) throw invalid("Every function needs a name.", name);
    let schema;
    try {
      schema = JSON.parse(parameters.value || "{}");
    } catch (problem) {
      throw invalid(`The parameters of ${name.value.trim()} are not valid JSON: ${problem.message}`, parameters);
    }
    if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
      throw invalid(`The parameters of ${name.value.trim()} must be a JSON object (a JSON schema).`, parameters);
    }
    const fn = { name: name.value.trim(), parameters: schema };
    if (description.value.trim()) fn.description = description.value.trim();
    tools.push({ type: "function", function: fn });
  }
  const fileIDs = [...form.querySelectorAll("[name=code_interpreter_file]:checked")].map((input) => input.value);
  const storeID = fields.vector_store.value;
  // Always sent, so that what is unchecked is removed.
  const resources = {
    code_interpreter: { file_ids: fileIDs },
    file_search: { vector_store_ids: storeID ? [storeID] : [] },
  };
  const body = { model, name: fields.name.value.trim() || null, instructions: fields.instructions.value || null, tools, tool_resources: resources };
  const temperature = fields.temperature.value.trim();
  if (temperature !== "") {
    const value = Number(temperature);
    if (!(value >= 0 && value <= 2)) throw invalid("Temperature is a number from 0 to 2.", fields.temperature);
    body.temperature = value;
  }
  body.response_format = readResponseFormat(fields, invalid);
  return body;
}

/// The response format: auto, text, any JSON object, or JSON that follows a schema (its `json_schema`
/// object: `name`, `schema`, `strict`), typed as JSON.
function responseFormatFields(assistant) {
  const format = assistant?.response_format;
  const type = typeof format === "object" && format ? format.type : "auto";
  const schema = h(
    "textarea",
    { id: "assistant-json-schema", name: "json_schema", rows: 6, class: "mono", placeholder: '{"name": "answer", "schema": {"type": "object"}, "strict": true}' },
    type === "json_schema" ? JSON.stringify(format.json_schema, null, 2) : "",
  );
  const schemaLabel = h("label", { for: "assistant-json-schema" }, "JSON schema");
  const show = (chosen) => {
    schema.hidden = chosen !== "json_schema";
    schemaLabel.hidden = schema.hidden;
  };
  const select = h(
    "select",
    { id: "assistant-response-format", name: "response_format", onchange: (event) => show(event.target.value) },
    [["auto", "Auto"], ["text", "Text"], ["json_object", "JSON object"], ["json_schema", "JSON schema"]].map(([value, label]) =>
      h("option", { value, selected: value === type }, label),
    ),
  );
  show(type);
  return [h("label", { for: "assistant-response-format" }, "Response format"), select, schemaLabel, schema];
}

function readResponseFormat(fields, invalid) {
  const type = fields.response_format.value;
  if (type === "auto") return "auto";
  if (type !== "json_schema") return { type };
  let schema;
  try {
    schema = JSON.parse(fields.json_schema.value);
  } catch (problem) {
    throw invalid(`The JSON schema is not valid JSON: ${problem.message}`, fields.json_schema);
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema) || typeof schema.name !== "string") {
    throw invalid('The JSON schema must be an object with a "name" and a "schema".', fields.json_schema);
  }
  return { type, json_schema: schema };
}
