// The server's public API (/v1) and the console's own endpoints (/console/api), with the API key the user
// typed, if the server requires one. The key lives in sessionStorage: it is gone when the tab closes.
const keyName = "assistants-console.api-key";

export class APIError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

let askForKey = null;

/// `ask(message)` shows the key prompt and resolves once a key is stored.
export function onKeyNeeded(ask) {
  askForKey = ask;
}

export function storedKey() {
  return sessionStorage.getItem(keyName);
}

export function storeKey(key) {
  sessionStorage.setItem(keyName, key);
}

export function forgetKey() {
  sessionStorage.removeItem(keyName);
}

function headers(hasBody) {
  const result = { "OpenAI-Beta": "assistants=v2", Accept: "application/json" };
  const key = storedKey();
  if (key) result.Authorization = `Bearer ${key}`;
  // JSON bodies always say so: without API keys the server refuses other content types from browsers.
  if (hasBody) result["Content-Type"] = "application/json";
  return result;
}

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: the status says enough.
  }
  const message = body?.error?.message || `${response.status} ${response.statusText}`;
  return new APIError(response.status, message, body);
}

/// The response to a request; a 401 asks for a key and tries again, any other error status throws APIError.
export async function send(method, path, body, { signal } = {}) {
  for (;;) {
    const response = await fetch(path, {
      method,
      headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: "no-store",
    });
    if (response.status === 401 && askForKey) {
      const error = await errorOf(response);
      forgetKey();
      await askForKey(error.message);
      continue;
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }
}

/// A stored file's content as an object URL, for an <img>: fetched with the key, as every API call is.
export async function fileURL(fileID) {
  const response = await send("GET", `/v1/files/${encodeURIComponent(fileID)}/content`);
  return URL.createObjectURL(await response.blob());
}

/// A multipart upload: the browser sets the multipart Content-Type (with its boundary) itself. Sent with
/// XMLHttpRequest, which reports how much of the body has gone (`onProgress(fraction)`); fetch does not.
async function upload(path, form, onProgress) {
  for (;;) {
    const response = await new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("POST", path);
      request.setRequestHeader("Accept", "application/json");
      const key = storedKey();
      if (key) request.setRequestHeader("Authorization", `Bearer ${key}`);
      request.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress?.(event.loaded / event.total);
      };
      request.onload = () => resolve(request);
      request.onerror = () => reject(new APIError(0, "The upload failed: the server could not be reached.", null));
      request.send(form);
    });
    let body = null;
    try {
      body = JSON.parse(response.responseText);
    } catch {
      // Not JSON: the status says enough.
    }
    const error = new APIError(response.status, body?.error?.message || `${response.status} ${response.statusText}`, body);
    if (response.status === 401 && askForKey) {
      forgetKey();
      await askForKey(error.message);
      continue;
    }
    if (response.status < 200 || response.status > 299) throw error;
    return body;
  }
}

/// Uploads a file the user picked, for the assistants' tools (purpose `assistants`); the file object.
/// `onProgress` hears the fraction sent so far.
export function uploadFile(file, onProgress) {
  const form = new FormData();
  form.append("purpose", "assistants");
  form.append("file", file, file.name);
  return upload("/v1/files", form, onProgress);
}

export async function get(path, options) {
  return (await send("GET", path, undefined, options)).json();
}

export async function post(path, body = {}, options) {
  return (await send("POST", path, body, options)).json();
}

export async function del(path, options) {
  return (await send("DELETE", path, undefined, options)).json();
}

/// Whether the server requires API keys: asked without one, so a keyless page load sends no request that fails.
export async function keysRequired() {
  const response = await fetch("/console/api/config", { cache: "no-store" });
  if (!response.ok) throw await errorOf(response);
  return (await response.json()).api_keys_required;
}

/// Every item of a list, oldest first, page after page; `query` adds parameters.
export async function everyItem(path, query = "") {
  const items = [];
  let after = null;
  do {
    const page = await get(`${path}?order=asc&limit=100${query}${after ? `&after=${after}` : ""}`);
    items.push(...page.data);
    after = page.has_more ? page.last_id : null;
  } while (after);
  return items;
}
