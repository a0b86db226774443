// The playground: chat with an assistant on a thread, the answer streamed as it is written, tool calls
// shown as they happen, function outputs typed into a form, runs cancelled; threads started and reopened;
// citations open the passage they cite; the runs inspector shows the thread's runs and their steps.
import { everyItem, get, post, send } from "./api.js";
import { serverSentEvents } from "./sse.js";
import { fill, h, when } from "./dom.js";
import { citedText } from "./citations.js";
import { RunsInspector } from "./runs.js";

const terminal = new Set(["completed", "failed", "cancelled", "expired", "incomplete"]);

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
    this.sendButton = h("button", { type: "submit" }, "Send");
    this.cancelButton = h("button", { type: "button", class: "danger", disabled: true, onclick: () => this.cancel() }, "Cancel run");
    this.inspector = new RunsInspector(() => this.threadID);
    this.composer = h(
      "form",
      { class: "composer", "aria-label": "Send a message", onsubmit: (event) => this.submit(event) },
      h("label", { for: "message", class: "visually-hidden" }, "Message"),
      this.input,
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
    this.abort?.abort();
  }

  async start(threadID, wantedAssistant) {
    this.threadsAfter = null;
    const [assistants] = await Promise.all([get("/v1/assistants?limit=100"), this.loadThreads()]);
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
    const last = runs.data.at(-1);
    if (!last) return;
    this.pick(last.assistant_id);
    this.showRun(last);
    if (last.status === "requires_action") this.askForOutputs(last);
    else if (!terminal.has(last.status)) this.setBusy(true);
  }

  setBusy(busy) {
    this.sendButton.disabled = busy;
    this.cancelButton.disabled = !busy || !this.run;
  }

  showRun(run) {
    this.run = run;
    const error = run.last_error ? `: ${run.last_error.message}` : "";
    this.status.textContent = `Run ${run.status.replace("_", " ")}${error}`;
    if (terminal.has(run.status)) {
      this.action.replaceChildren();
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
      this.input.value = "";
      this.message(null, "user").set(text);
      await this.stream(`/v1/threads/${this.threadID}/runs`, {
        assistant_id: this.picker.value,
        stream: true,
        additional_messages: [{ role: "user", content: text }],
      });
    } catch (error) {
      this.status.textContent = error.message;
      this.setBusy(false);
    }
  }

  /// POSTs `body` and follows the run's events until the stream ends.
  async stream(path, body) {
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
      const item = h("li", { class: "tool-call", dataset: { step: stepID } }, h("span", { class: "role" }, "Tool call"), title, input, output);
      this.transcript.append(item);
      view = { item, title, input, output };
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
      const logs = (call.code_interpreter?.outputs ?? []).filter((o) => o.type === "logs").map((o) => o.logs).join("");
      if (logs) put(view.output, logs);
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
      const item = h(
        "li",
        { class: `message ${role}`, dataset: { message: id ?? "" } },
        h("span", { class: "role" }, role === "user" ? "You" : "Assistant"),
        text,
        passage,
      );
      this.transcript.append(item);
      entry = {
        append: (fragment) => text.append(fragment),
        set: (value) => {
          text.textContent = value;
        },
        /// The message as stored: its text parts, with each file citation a button that opens its passage.
        show: (message) => {
          fill(text, citedText(message, this.threadID, passage));
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
      this.action.replaceChildren();
      await this.stream(`/v1/threads/${this.threadID}/runs/${run.id}/submit_tool_outputs`, { tool_outputs: outputs, stream: true });
    });
    this.action.replaceChildren(form);
    this.cancelButton.disabled = false;
    form.querySelector("textarea")?.focus();
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
