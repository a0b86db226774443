// The quickstart's math tutor: an assistant with code_interpreter, its run streamed to the terminal.
// ASSISTANTS_BASE_URL (default http://localhost:8080/v1), ASSISTANTS_API_KEY, ASSISTANTS_MODEL (default gpt-4o).
import AssistantsAPI
import AssistantsClient
import Foundation

let client = AssistantsClient.fromEnvironment()
let assistant = try await client.assistants.create(CreateAssistantRequest(
    model: ProcessInfo.processInfo.environment["ASSISTANTS_MODEL"] ?? "gpt-4o", name: "Math Tutor",
    instructions: "You are a personal math tutor. Write and run code to answer math questions.",
    tools: [.codeInterpreter]))
let thread = try await client.threads.create(CreateThreadRequest(messages: [
    .user("I need to solve the equation `3x + 11 = 14`. Can you help me?"),
]))

let stream = try await client.threads.runs.stream(threadID: thread.id, CreateRunRequest(
    assistantID: assistant.id, additionalInstructions: "Please address the user as Jane Doe. The user has a premium account."))
// Written unbuffered, so each delta shows as it arrives.
func show(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }

for try await update in stream {
    for change in update.changes {
        switch change {
        case .textCreated: show("\nassistant > ")
        case .textDelta(let text, _): show(text)
        case .toolCallCreated(let call): show("\nassistant > \(call.type)\n\n")
        case .toolCallDelta(let delta, _):
            guard case .codeInterpreter(let input, let outputs) = delta.kind else { break }
            show(input ?? "")
            for case .logs(let logs) in outputs?.map(\.value) ?? [] { show("\n\noutput >\n\(logs)\n") }
        default: break
        }
    }
}
show("\n")
