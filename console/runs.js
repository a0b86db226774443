// The runs inspector: the open thread's runs, oldest first, each with its steps as a timeline: status,
// when it was created, started and finished and how long that took, token usage, and why it failed or
// stopped early. It reads the runs when opened and again whenever a run ends while it is open.
import { everyItem } from "./api.js";
import { fill, h } from "./dom.js";

export class RunsInspector {
  /// `threadID()` names the thread shown, or null.
  constructor(threadID) {
    this.threadID = threadID;
    this.generation = 0;
    this.body = h("div", { class: "runs-body" });
    this.element = h(
      "details",
      { class: "inspector", ontoggle: () => this.refresh() },
      h("summary", {}, "Runs inspector"),
      this.body,
    );
  }

  /// Reads the thread's runs again, if the inspector is open. Only the latest reading is shown.
  async refresh() {
    if (!this.element.open) return;
    const id = this.threadID();
    const generation = ++this.generation;
    if (!id) {
      fill(this.body, h("p", { class: "status" }, "No thread yet: send a message to start one."));
      return;
    }
    try {
      const runs = await everyItem(`/v1/threads/${id}/runs`);
      const steps = await Promise.all(runs.map((run) => everyItem(`/v1/threads/${id}/runs/${run.id}/steps`)));
      if (generation !== this.generation) return;
      fill(
        this.body,
        runs.length
          ? h("ol", { class: "runs", "aria-label": "Runs" }, runs.map((run, index) => runEntry(run, steps[index])))
          : h("p", { class: "status" }, "No runs on this thread yet."),
      );
    } catch (error) {
      if (generation === this.generation) fill(this.body, h("p", { class: "error", role: "alert" }, error.message));
    }
  }
}

/// When a run or step stopped, whichever way it stopped.
function endOf(item) {
  return item.completed_at ?? item.failed_at ?? item.cancelled_at ?? item.expired_at ?? null;
}

function clock(seconds) {
  return seconds ? new Date(seconds * 1000).toLocaleTimeString() : "—";
}

function duration(from, to) {
  if (!from || !to) return "—";
  const seconds = to - from;
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function tokens(usage) {
  if (!usage) return "—";
  return `${usage.prompt_tokens} in, ${usage.completion_tokens} out, ${usage.total_tokens} total`;
}

function badge(status) {
  return h("span", { class: `badge ${status}` }, status.replace("_", " "));
}

/// Name-value pairs; a pair with `wide` set takes two columns (a long value such as the tokens).
function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs.map(([name, value, wide]) => h("div", { class: wide ? "wide" : null }, h("dt", {}, name), h("dd", {}, value))),
  );
}

/// Why it failed or stopped early, if it did.
function problems(item) {
  return [
    item.last_error ? h("p", { class: "error" }, `Error (${item.last_error.code}): ${item.last_error.message}`) : null,
    item.incomplete_details ? h("p", { class: "warning" }, `Incomplete: ${item.incomplete_details.reason}`) : null,
  ];
}

function runEntry(run, steps) {
  const started = run.started_at ?? null;
  return h(
    "li",
    { class: "run-entry", dataset: { run: run.id, status: run.status }, "aria-label": `Run ${run.id}` },
    h("h4", {}, h("span", { class: "mono" }, run.id), " ", badge(run.status)),
    facts([
      ["Model", run.model],
      ["Created", clock(run.created_at)],
      ["Started", clock(started)],
      ["Ended", clock(endOf(run))],
      ["Waited", duration(run.created_at, started)],
      ["Ran", duration(started, endOf(run))],
      ["Tokens", tokens(run.usage), true],
    ]),
    problems(run),
    h(
      "ol",
      { class: "steps", "aria-label": `Steps of ${run.id}` },
      steps.length ? steps.map(stepEntry) : h("li", { class: "status" }, "No steps."),
    ),
  );
}

function stepEntry(step) {
  const details = step.step_details ?? {};
  const what = details.type === "tool_calls"
    ? `Tool calls: ${details.tool_calls.map((call) => (call.type === "function" ? call.function.name : call.type)).join(", ")}`
    : "Message";
  return h(
    "li",
    { class: "step-entry", dataset: { step: step.id, status: step.status } },
    h("p", { class: "step-title" }, h("strong", {}, what), " ", badge(step.status)),
    h(
      "p",
      { class: "muted" },
      `${clock(step.created_at)} → ${clock(endOf(step))} · ${duration(step.created_at, endOf(step))} · ${tokens(step.usage)}`,
    ),
    problems(step),
  );
}
