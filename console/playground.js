// The playground: chat with an assistant on a thread, the answer streamed as it is written, tool calls
// shown as they happen, function outputs typed into a form, runs cancelled; files attached to a message
// (uploaded, then named in its `attachments`) for the code interpreter or file search; threads started and reopened;
// citations open the passage they cite; the runs inspector shows the thread's runs and their steps. A run
// another client started on the open thread (a script, another tab) is followed by polling until it ends.
import { APIError, everyItem, fileURL, get, post, send, uploadFile } from "./api.js";
import { serverSentEvents } from "./sse.js";
import { fill, h, when } from "./dom.js";
import { citedText } from "./citations.js";
import { RunsInspector } from "./runs.js";

const terminal = new Set(["completed", "failed", "cancelled", "expired", "incomplete"]);
// How often a run started elsewhere is read while it runs, and how often the open thread is asked for new runs.
const followMs = 700;
const watchMs = 1000;

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/// Which wait for outputs a run is in: its run and the calls it waits for.
const waitKey = (run) => `${run.id}:${(run.required_action?.submit_tool_outputs?.tool_calls ?? []).map((call) => call.id).join()}`;

export async function showPlayground(main, threadID, wantedAssistant) {
  const view = new Playground(main);
  await view.start(threadID ?? null, wantedAssistant);
  return () => view.leave();
}

class Playground {
  constructor(main) {
    this.threadID = null;
    this.run = null;
    this.abort = null;
    this.messages = new Map();
    this.steps = new Map();
    // The runs this page has seen (started, streamed, followed): a run not among them was started elsewhere.
    this.knownRuns = new Set();
    // Bumped to stop the run being followed: a loop whose number is no longer current ends.
    this.following = 0;
    this.followed = null;
    this.watchTimer = null;
    this.left = false;
    // The wait for outputs the form on show answers (waitKey), or null.
    this.asked = null;

    this.picker = h("select", { id: "pick-assistant", name: "assistant" });
    this.threadLabel = h("span", { class: "mono thread-id" });
    this.threadList = h("ul", { class: "thread-list" });
    this.moreThreads = h("button", { type: "button", class: "quiet", hidden: true, onclick: () => this.loadThreads() }, "Show more threads");
    this.transcript = h("ol", { class: "transcript", "aria-label": "Conversation" });
    this.action = h("div", { class: "action" });
    this.status = h("p", { class: "status", role: "status" });
    this.input = h("textarea", {
      id: "message", name: "message", rows: 3, placeholder: "Message (Enter to send, Shift+Enter for a new line)",
      onkeydown: (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.composer.requestSubmit();
        }
      },
    });
    this.attachFiles = h("input", { id: "attach-files", name: "attachments", type: "file", multiple: true });
    this.attachForCode = h("input", { type: "checkbox", name: "attach_code_interpreter" });
    this.attachForSearch = h("input", { type: "checkbox", name: "attach_file_search", checked: true });
    // File names by id, for the attachments messages show.
    this.fileNames = new Map();
    this.sendButton = h("button", { type: "submit" }, "Send");
    this.cancelButton = h("button", { type: "button", class: "danger", disabled: true, onclick: () => this.cancel() }, "Cancel run");
    this.inspector = new RunsInspector(() => this.threadID);
    this.composer = h(
      "form",
      { class: "composer", "aria-label": "Send a message", onsubmit: (event) => this.submit(event) },
      h("label", { for: "message", class: "visually-hidden" }, "Message"),
      this.input,
      h(
        "details",
        { class: "attach" },
        h("summary", {}, "Attach files"),
        h("label", { for: "attach-files" }, "Files to attach"),
        this.attachFiles,
        h(
          "fieldset",
          {},
          h("legend", {}, "Attached files are for"),
          h("label", { class: "check" }, this.attachForCode, "Code interpreter"),
          h("label", { class: "check" }, this.attachForSearch, "File search"),
        ),
      ),
      h("div", { class: "actions" }, this.sendButton, this.cancelButton),
    );
    fill(
      main,
      h(
        "div",
        { class: "playground" },
        h(
          "aside",
          { class: "threads", "aria-label": "Threads" },
          h("h2", {}, "Threads"),
          h("a", { class: "button", href: "#/playground" }, "New thread"),
          this.threadList,
          this.moreThreads,
        ),
        h(
          "section",
          { class: "chat", "aria-label": "Chat" },
          h("div", { class: "chat-head" }, h("label", { for: "pick-assistant" }, "Assistant"), this.picker, this.threadLabel),
          this.transcript,
          this.action,
          this.status,
          this.composer,
          this.inspector.element,
        ),
      ),
    );
  }

  leave() {
    this.left = true;
    this.abort?.abort();
    this.following++;
    clearTimeout(this.watchTimer);
  }

  async start(threadID, wantedAssistant) {
    this.threadsAfter = null;
    const [assistants, files] = await Promise.all([
      get("/v1/assistants?limit=100"),
      get("/v1/files?limit=100&purpose=assistants"),
      this.loadThreads(),
    ]);
    for (const file of files.data) this.fileNames.set(file.id, file.filename);
    for (const assistant of assistants.data) {
      this.picker.append(h("option", { value: assistant.id }, assistant.name || assistant.id));
    }
    if (!assistants.data.length) {
      this.status.textContent = "Create an assistant first, on the Assistants page.";
      this.sendButton.disabled = true;
    }
    this.picker.addEventListener("change", () => sessionStorage.setItem("assistants-console.assistant", this.picker.value));
    this.pick(wantedAssistant ?? sessionStorage.getItem("assistants-console.assistant"));
    if (threadID) await this.reopen(threadID);
    this.input.focus();
  }

  pick(assistantID) {
    if (assistantID && [...this.picker.options].some((option) => option.value === assistantID)) this.picker.value = assistantID;
  }

  async loadThreads() {
    const page = await get(`/console/api/threads?limit=20${this.threadsAfter ? `&after=${this.threadsAfter}` : ""}`);
    for (const thread of page.data) {
      const title = thread.metadata?.title || thread.id;
      this.threadList.append(
        h(
          "li",
          {},
          h(
            "a",
            { href: `#/playground/${thread.id}`, "aria-current": thread.id === this.threadID ? "page" : null, dataset: { thread: thread.id } },
            h("span", { class: "title" }, title),
            h("small", {}, when(thread.created_at)),
          ),
        ),
      );
    }
    this.threadsAfter = page.last_id;
    this.moreThreads.hidden = !page.has_more;
  }

  setThread(id) {
    this.threadID = id;
    this.threadLabel.textContent = id;
    this.inspector.refresh();
    this.watch();
    for (const link of this.threadList.querySelectorAll("a")) {
      if (link.dataset.thread === id) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  async reopen(threadID) {
    await get(`/v1/threads/${encodeURIComponent(threadID)}`);
    this.setThread(threadID);
    const [messages, runs] = await Promise.all([
      everyItem(`/v1/threads/${threadID}/messages`),
      get(`/v1/threads/${threadID}/runs?order=asc&limit=100`),
    ]);
    // The tool calls of each run go before the run's first message, as they happened; those of a run with
    // no message yet (waiting for outputs, cancelled) go last.
    const steps = await Promise.all(runs.data.map((run) => get(`/v1/threads/${threadID}/runs/${run.id}/steps?order=asc&limit=100`)));
    const stepsOf = new Map(runs.data.map((run, index) => [run.id, steps[index].data]));
    const showSteps = (runID) => {
      for (const step of stepsOf.get(runID) ?? []) this.handleStep("thread.run.step.completed", step);
      stepsOf.delete(runID);
    };
    for (const message of messages) {
      if (message.run_id) showSteps(message.run_id);
      this.message(message.id, message.role).show(message);
    }
    for (const runID of [...stepsOf.keys()]) showSteps(runID);
    for (const run of runs.data) this.knownRuns.add(run.id);
    const last = runs.data.at(-1);
    if (!last) return;
    this.pick(last.assistant_id);
    this.showRun(last);
    // A run still going (or waiting for outputs) is followed until it ends.
    if (!terminal.has(last.status)) this.follow(last);
  }

  /// While the thread is open and this page runs nothing, asks for its newest run now and then: one this
  /// page has not seen was started elsewhere, and is followed.
  watch() {
    clearTimeout(this.watchTimer);
    this.watchTimer = setTimeout(async () => {
      const threadID = this.threadID;
      if (this.left || !threadID) return;
      // A hidden tab does not ask: it looks again once shown.
      if (!this.abort && !this.followed && !document.hidden) {
        try {
          const page = await get(`/v1/threads/${threadID}/runs?limit=1`);
          const newest = page.data[0];
          // A run started elsewhere, or one of this page's that waits for outputs (another client may
          // give them). A stream or a follow may have begun while the page was asked for: they tell of
          // their runs.
          const wanted = newest && (!this.knownRuns.has(newest.id) || !terminal.has(newest.status));
          if (wanted && !this.abort && !this.followed && threadID === this.threadID) {
            this.follow(newest);
          }
        } catch (error) {
          if (error instanceof APIError && error.status === 404) return;
        }
      }
      if (!this.left && threadID === this.threadID) this.watch();
    }, watchMs);
  }

  /// Shows a run this page has no stream of, reading it, its steps and the thread's newest messages
  /// until it ends: its status, its tool calls and answer as they are stored, the outputs form while it
  /// waits for them. Ends when the page is left, or when this page starts streaming the run itself.
  async follow(run) {
    const number = ++this.following;
    const threadID = this.threadID;
    this.knownRuns.add(run.id);
    this.followed = run.id;
    try {
      for (;;) {
        const [steps, messages] = await Promise.all([
          get(`/v1/threads/${threadID}/runs/${run.id}/steps?order=asc&limit=100`),
          get(`/v1/threads/${threadID}/messages?order=desc&limit=20`),
        ]);
        if (number !== this.following) return;
        this.catchUp(steps.data, messages.data.reverse());
        this.pick(run.assistant_id);
        this.showRun(run);
        if (!terminal.has(run.status)) this.setBusy(true);
        // The form is made once per wait: a new one would lose what the user is typing. Answered
        // elsewhere, it goes.
        if (run.status === "requires_action") {
          if (this.asked !== waitKey(run)) this.askForOutputs(run);
        } else if (this.asked) {
          this.closeOutputs();
        }
        if (terminal.has(run.status)) return;
        await pause(followMs);
        if (number !== this.following) return;
        run = await get(`/v1/threads/${threadID}/runs/${run.id}`);
        if (number !== this.following) return;
      }
    } catch (error) {
      if (number === this.following) {
        this.status.textContent = error.message;
        this.setBusy(false);
      }
    } finally {
      if (number === this.following) this.followed = null;
    }
  }

  /// Adds the steps and messages not shown yet, in the order they were made (a user's message before the
  /// tool calls its run made, those before the answer), and shows again those that changed.
  catchUp(steps, messages) {
    const rank = (item) => (item.object === "thread.message" ? (item.role === "user" ? 0 : 2) : 1);
    const fresh = [
      ...steps.filter((step) => step.step_details?.type === "tool_calls"),
      ...messages.filter((message) => !this.messages.has(message.id)),
    ].sort((a, b) => a.created_at - b.created_at || rank(a) - rank(b));
    for (const item of fresh) {
      if (item.object === "thread.message") this.message(item.id, item.role).show(item);
      else this.handleStep("thread.run.step.completed", item);
    }
    for (const message of messages) this.message(message.id, message.role).show(message);
  }

  setBusy(busy) {
    this.sendButton.disabled = busy;
    this.cancelButton.disabled = !busy || !this.run;
  }

  showRun(run) {
    this.run = run;
    this.knownRuns.add(run.id);
    const error = run.last_error ? `: ${run.last_error.message}` : "";
    this.status.textContent = `Run ${run.status.replace("_", " ")}${error}`;
    if (terminal.has(run.status)) {
      this.closeOutputs();
      this.setBusy(false);
      this.inspector.refresh();
    }
  }

  async submit(event) {
    event.preventDefault();
    const text = this.input.value.trim();
    if (!text || this.sendButton.disabled) return;
    if (!this.picker.value) {
      this.status.textContent = "Pick an assistant first.";
      return;
    }
    const chosen = [...this.attachFiles.files];
    const tools = [this.attachForCode.checked && "code_interpreter", this.attachForSearch.checked && "file_search"].filter(Boolean);
    if (chosen.length && !tools.length) {
      this.status.textContent = "Say what the attached files are for: code interpreter, file search or both.";
      return;
    }
    this.setBusy(true);
    try {
      if (!this.threadID) {
        const thread = await post("/v1/threads", { metadata: { title: text.slice(0, 80) } });
        this.setThread(thread.id);
        // The address names the thread, so a reload reopens it; replaceState does not redraw the page.
        history.replaceState(null, "", `#/playground/${thread.id}`);
        this.threadList.prepend(
          h("li", {}, h("a", { href: `#/playground/${thread.id}`, "aria-current": "page", dataset: { thread: thread.id } },
            h("span", { class: "title" }, text.slice(0, 80)), h("small", {}, when(thread.created_at)))),
        );
      }
      const attachments = [];
      for (const file of chosen) {
        this.status.textContent = `Uploading ${file.name}…`;
        const uploaded = await uploadFile(file);
        this.fileNames.set(uploaded.id, uploaded.filename);
        attachments.push({ file_id: uploaded.id, tools: tools.map((type) => ({ type })) });
      }
      this.status.textContent = "";
      this.input.value = "";
      this.attachFiles.value = "";
      // The message is added first, so that it is known by its id when the thread is read again.
      const message = await post(`/v1/threads/${this.threadID}/messages`, { role: "user", content: text, attachments });
      this.message(message.id, "user").show(message);
      await this.stream(`/v1/threads/${this.threadID}/runs`, { assistant_id: this.picker.value, stream: true });
    } catch (error) {
      this.status.textContent = error.message;
      this.setBusy(false);
    }
  }

  /// POSTs `body` and follows the run's events until the stream ends.
  async stream(path, body) {
    // The page's own stream tells the run's story from here: a run being followed is no longer read.
    this.following++;
    this.followed = null;
    this.abort = new AbortController();
    this.setBusy(true);
    try {
      const response = await send("POST", path, body, { signal: this.abort.signal });
      for await (const { event, data } of serverSentEvents(response)) this.handle(event, data);
    } catch (error) {
      if (error.name === "AbortError") return;
      this.status.textContent = error.message;
      this.setBusy(false);
    } finally {
      this.abort = null;
    }
  }

  handle(event, data) {
    if (event.startsWith("thread.run.step.")) return this.handleStep(event, data);
    switch (event) {
      case "thread.message.created":
        this.message(data.id, data.role);
        break;
      case "thread.message.delta":
        for (const part of data.delta?.content ?? []) {
          if (part.type === "text" && part.text?.value) this.message(data.id, "assistant").append(part.text.value);
        }
        break;
      case "thread.message.completed":
        this.message(data.id, data.role).show(data);
        break;
      case "thread.run.requires_action":
        this.showRun(data);
        this.askForOutputs(data);
        break;
      case "error":
        this.status.textContent = data?.error?.message ?? data?.message ?? "The stream failed.";
        break;
      default:
        if (event.startsWith("thread.run.")) {
          this.showRun(data);
          this.setBusy(!terminal.has(data.status));
        }
    }
  }

  handleStep(event, data) {
    if (event === "thread.run.step.delta") {
      for (const call of data.delta?.step_details?.tool_calls ?? []) this.toolCall(data.id, call.index, call, true);
      return;
    }
    if (data.step_details?.type !== "tool_calls") return;
    data.step_details.tool_calls.forEach((call, index) => this.toolCall(data.id, index, call, false));
  }

  /// The transcript entry of a tool call, made on first sight; `delta` fragments are appended.
  toolCall(stepID, index, call, delta) {
    const key = `${stepID}:${index}`;
    let view = this.steps.get(key);
    if (!view) {
      const title = h("span", { class: "tool-title" });
      const input = h("pre", { class: "mono tool-input" });
      const output = h("pre", { class: "mono tool-output" });
      const images = h("div", { class: "figures" });
      const item = h(
        "li", { class: "tool-call", dataset: { step: stepID } }, h("span", { class: "role" }, "Tool call"), title, input, output, images);
      this.transcript.append(item);
      view = { item, title, input, output, images, shownImages: new Set() };
      this.steps.set(key, view);
    }
    if (call.id) view.item.dataset.call = call.id;
    const type = call.type ?? view.type;
    view.type = type;
    const put = (element, text) => {
      if (text === undefined || text === null) return;
      if (delta) element.append(text);
      else element.textContent = text;
    };
    if (type === "function") {
      if (call.function?.name) view.title.textContent = call.function.name;
      put(view.input, call.function?.arguments);
      if (call.function?.output !== undefined && call.function?.output !== null) view.output.textContent = `→ ${call.function.output}`;
    } else if (type === "code_interpreter") {
      view.title.textContent = "code interpreter";
      put(view.input, call.code_interpreter?.input);
      const outputs = call.code_interpreter?.outputs ?? [];
      const logs = outputs.filter((o) => o.type === "logs").map((o) => o.logs).join("");
      if (logs) put(view.output, logs);
      // Figures the code drew, each once however often its outputs arrive.
      for (const output of outputs) {
        const fileID = output.type === "image" ? output.image?.file_id : null;
        if (!fileID || view.shownImages.has(fileID)) continue;
        view.shownImages.add(fileID);
        view.images.append(fileImage(fileID, "Figure the code drew"));
      }
    } else if (type === "file_search") {
      view.title.textContent = "file search";
      const results = call.file_search?.results;
      if (results) view.output.textContent = `${results.length} result(s)`;
    }
  }

  /// A message of the transcript, made on first sight.
  message(id, role) {
    let entry = id ? this.messages.get(id) : null;
    if (!entry) {
      const text = h("div", { class: "text" });
      const passage = h("div", { class: "cited-passage", role: "region", "aria-label": "Cited passage", hidden: true });
      const attached = h("ul", { class: "attachments", "aria-label": "Attached files", hidden: true });
      const figures = h("div", { class: "figures" });
      const item = h(
        "li",
        { class: `message ${role}`, dataset: { message: id ?? "" } },
        h("span", { class: "role" }, role === "user" ? "You" : "Assistant"),
        text,
        figures,
        attached,
        passage,
      );
      this.transcript.append(item);
      // What `show` drew last: a message read again unchanged is not drawn again (an open passage stays).
      let shown = null;
      entry = {
        append: (fragment) => {
          shown = null;
          text.append(fragment);
        },
        /// The message as stored: its text parts, with each file citation a button that opens its passage.
        show: (message) => {
          const drawn = JSON.stringify([message.status, message.content, message.attachments]);
          if (drawn === shown) return;
          shown = drawn;
          fill(text, citedText(message, this.threadID, passage));
          // Images in the message (a figure the code interpreter drew, shown with its answer).
          fill(figures, (message.content ?? [])
            .filter((part) => part.type === "image_file" && part.image_file?.file_id)
            .map((part) => fileImage(part.image_file.file_id, "Image in the answer")));
          const files = message.attachments ?? [];
          attached.hidden = !files.length;
          fill(attached, files.map((file) => h(
            "li",
            { dataset: { file: file.file_id } },
            this.fileNames.get(file.file_id) ?? file.file_id,
            h("span", { class: "muted" }, ` (${(file.tools ?? []).map((tool) => tool.type.replace("_", " ")).join(", ")})`),
          )));
          // A message being written elsewhere has no text until it is done.
          if (message.status === "in_progress" && !text.textContent) text.textContent = "…";
        },
      };
      if (id) this.messages.set(id, entry);
    }
    return entry;
  }

  /// The form for the outputs of the function calls the run waits for.
  askForOutputs(run) {
    const calls = run.required_action?.submit_tool_outputs?.tool_calls ?? [];
    const form = h(
      "form",
      { class: "outputs", "aria-labelledby": "outputs-title" },
      h("h3", { id: "outputs-title" }, "The run waits for function outputs"),
      calls.map((call) =>
        h(
          "div",
          { class: "output-field" },
          h("label", { for: `output-${call.id}` }, `Output of ${call.function.name}`, h("span", { class: "mono" }, ` (${call.id})`)),
          h("pre", { class: "mono" }, call.function.arguments),
          h("textarea", { id: `output-${call.id}`, name: call.id, rows: 2, required: true }),
        ),
      ),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Submit outputs")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const outputs = calls.map((call) => ({ tool_call_id: call.id, output: form.elements[call.id].value }));
      this.closeOutputs();
      await this.stream(`/v1/threads/${this.threadID}/runs/${run.id}/submit_tool_outputs`, { tool_outputs: outputs, stream: true });
    });
    this.action.replaceChildren(form);
    this.asked = waitKey(run);
    this.cancelButton.disabled = false;
    form.querySelector("textarea")?.focus();
  }

  closeOutputs() {
    this.action.replaceChildren();
    this.asked = null;
  }

  async cancel() {
    if (!this.run) return;
    this.cancelButton.disabled = true;
    // With a stream open, its events tell the rest (the answer to this request may come after the stream's
    // last event, and must not undo it); without one (a run waiting for outputs), the run is read here.
    const streaming = this.abort !== null;
    try {
      let run = await post(`/v1/threads/${this.threadID}/runs/${this.run.id}/cancel`);
      for (let tries = 0; !streaming && !terminal.has(run.status) && tries < 30; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        run = await get(`/v1/threads/${this.threadID}/runs/${run.id}`);
      }
      if (!streaming) this.showRun(run);
    } catch (error) {
      this.status.textContent = error.message;
      this.cancelButton.disabled = false;
    }
  }
}

/// An image of a stored file, loaded with the API key (an <img src> could not send it).
function fileImage(fileID, label) {
  const image = h("img", { class: "figure", alt: label, dataset: { file: fileID } });
  fileURL(fileID)
    .then((url) => {
      image.src = url;
    })
    .catch(() => {
      image.alt = `${label} (it could not be loaded)`;
    });
  return image;
}
