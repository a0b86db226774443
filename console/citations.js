// File citations in answers: each `file_citation` annotation becomes a button that shows the cited file's
// name and the passage the model read. The passage is the file_search result the marker names
// (`【{call}:{result}†{filename}】`: the run's `call`-th search, its `result`-th result), read from the run's
// steps with the results' content included.
import { everyItem } from "./api.js";
import { h } from "./dom.js";

const includeContent = `&include[]=${encodeURIComponent("step_details.tool_calls[*].file_search.results[*].content")}`;
const markerPattern = /^【(\d+):(\d+)†([^】]*)】$/;

/// The nodes of `message`'s text parts: text, with a button in place of each citation marker. A button
/// opens its passage in `panel` (one per message); opening it again closes it.
export function citedText(message, threadID, panel) {
  const nodes = [];
  let number = 0;
  panel.hidden = true;
  panel.replaceChildren();
  const parts = (message.content ?? []).filter((part) => part.type === "text");
  parts.forEach((part, index) => {
    if (index) nodes.push("\n");
    // Annotation offsets count Unicode code points, not the UTF-16 units of JavaScript strings.
    const characters = Array.from(part.text.value);
    let position = 0;
    const citations = (part.text.annotations ?? [])
      .filter((annotation) => annotation.type === "file_citation")
      .sort((a, b) => a.start_index - b.start_index);
    for (const annotation of citations) {
      if (annotation.start_index < position) continue;
      nodes.push(characters.slice(position, annotation.start_index).join(""));
      number += 1;
      nodes.push(citationButton(number, annotation, message, threadID, panel));
      position = annotation.end_index;
    }
    nodes.push(characters.slice(position).join(""));
  });
  return nodes;
}

function citationButton(number, annotation, message, threadID, panel) {
  const filename = markerPattern.exec(annotation.text)?.[3] || annotation.file_citation.file_id;
  const button = h(
    "button",
    {
      type: "button", class: "citation", "aria-expanded": "false", "aria-label": `Citation ${number}: ${filename}`,
      title: filename, dataset: { file: annotation.file_citation.file_id },
    },
    `[${number}]`,
  );
  button.addEventListener("click", async () => {
    const open = button.getAttribute("aria-expanded") === "true";
    for (const other of button.parentElement.querySelectorAll("button.citation")) other.setAttribute("aria-expanded", "false");
    if (open) {
      panel.hidden = true;
      return;
    }
    button.setAttribute("aria-expanded", "true");
    panel.hidden = false;
    panel.replaceChildren(h("p", { class: "status" }, "Reading the passage…"));
    try {
      const result = await citedResult(annotation, message, threadID);
      panel.replaceChildren(
        h("h4", {}, `[${number}] ${result?.file_name ?? filename}`),
        result?.content?.length
          ? h("blockquote", { class: "passage" }, result.content.map((part) => part.text).join("\n"))
          : h("p", { class: "status" }, "The passage is no longer stored with the run."),
      );
    } catch (error) {
      panel.replaceChildren(h("p", { class: "error", role: "alert" }, error.message));
    }
  });
  return button;
}

/// The search result the citation points at: the one its marker numbers if it is of the cited file, else
/// the first result of the cited file (as the server matches a marker whose numbers are off).
async function citedResult(annotation, message, threadID) {
  if (!message.run_id) return null;
  const steps = await everyItem(`/v1/threads/${threadID}/runs/${message.run_id}/steps`, includeContent);
  const searches = steps
    .filter((step) => step.step_details?.type === "tool_calls")
    .flatMap((step) => step.step_details.tool_calls)
    .filter((call) => call.type === "file_search")
    .map((call) => call.file_search?.results ?? []);
  const fileID = annotation.file_citation.file_id;
  const marker = markerPattern.exec(annotation.text);
  const numbered = marker ? searches[Number(marker[1])]?.[Number(marker[2])] : null;
  if (numbered?.file_id === fileID) return numbered;
  return searches.flat().find((result) => result.file_id === fileID) ?? null;
}
