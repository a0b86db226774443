// Runs an assistant made elsewhere (ASSISTANT_ID), with code_interpreter and no local tools; without
// ASSISTANT_ID one is made first, as another program would have.
// ASSISTANTS_BASE_URL (default http://localhost:8080/v1), ASSISTANTS_API_KEY, ASSISTANTS_MODEL (default gpt-4o).
import AssistantAgent
import AssistantsAPI
import AssistantsClient
import Foundation

let client = AssistantsClient.fromEnvironment()
let environment = ProcessInfo.processInfo.environment
let assistantID: String
if let id = environment["ASSISTANT_ID"] {
    assistantID = id
} else {
    let made = try await client.assistants.create(CreateAssistantRequest(
        model: environment["ASSISTANTS_MODEL"] ?? "gpt-4o", name: "langchain assistant",
        instructions: "You are a personal math tutor. Write and run code to answer math questions.", tools: [.codeInterpreter]))
    print("created \(made.id); set ASSISTANT_ID=\(made.id) to reuse it")
    assistantID = made.id
}

let agent = AssistantAgent(client: client, assistantID: assistantID)
let output = try await agent.run("What's 10 - 4 raised to the 2.7")
print("thread \(output.threadID), run \(output.runID)")
print(output.text)
