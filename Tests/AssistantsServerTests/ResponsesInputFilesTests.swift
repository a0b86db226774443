import AssistantsAPI
import FakeModel
import Foundation
import Testing

/// `input_file` parts of `/v1/responses` input and of conversation items: the model reads the file's text
/// where the part stands; inline `file_data` is kept as a `user_data` file that later turns read.
@Suite struct ResponsesInputFilesTests {
    func respond(_ api: TestAPI, _ body: String) async throws -> ModelResponse {
        let reply = try await api.call(.post, "/v1/responses", body, beta: false)
        #expect(reply.status == .ok, "\(String(decoding: reply.bytes, as: UTF8.self))")
        return try reply.decode(ModelResponse.self)
    }

    /// The user messages the model was sent in its last request, as text.
    func sentUserTexts(_ api: TestAPI) -> [String] {
        let messages = api.model?.requests().last?.body["messages"]?.array ?? []
        return messages.filter { $0["role"] == .string("user") }.compactMap { $0["content"]?.stringValue }
    }

    func inputItems(_ api: TestAPI, _ responseID: String) async throws -> [ResponseContent] {
        let page = try await api.call(.get, "/v1/responses/\(responseID)/input_items", beta: false).decode(ListPage<ResponseItem>.self)
        guard case .message(let message) = page.data.first else { return [] }
        return message.content
    }

    @Test func anUploadedFileIsReadWhereItsPartStandsAndInLaterTurns() async throws {
        try await TestAPI.run(model: true) { api in
            let file = try await api.upload(Data("The secret is 42.".utf8), filename: "notes.md").decode(FileObject.self)
            api.model?.enqueue(FakeReply(text: "42"), FakeReply(text: "Yes."))
            let input = #"[{"role":"user","content":[{"type":"input_text","text":"Read this:"},{"type":"input_file","file_id":"\#(file.id)"},{"type":"input_text","text":"What is the secret?"}]}]"#
            let first = try await respond(api, #"{"model":"gpt-4o","input":\#(input)}"#)
            #expect(first.status == .completed)
            let expected = "Read this:\n[File: notes.md]\nThe secret is 42.\n[End of file: notes.md]\nWhat is the secret?"
            #expect(sentUserTexts(api) == [expected])
            // The input lists the part where it was sent.
            #expect(try await inputItems(api, first.id) == [
                .inputText("Read this:"), .inputFile(InputFile(fileID: file.id)), .inputText("What is the secret?"),
            ])

            // The next turn still reads the file.
            let second = try await respond(api, #"{"model":"gpt-4o","previous_response_id":"\#(first.id)","input":"Sure?"}"#)
            #expect(sentUserTexts(api) == [expected, "Sure?"])

            // Once the file is deleted, the model is told it is gone.
            #expect(try await api.call(.delete, "/v1/files/\(file.id)").status == .ok)
            api.model?.enqueue(FakeReply(text: "Gone."))
            _ = try await respond(api, #"{"model":"gpt-4o","previous_response_id":"\#(second.id)","input":"And now?"}"#)
            let gone = "Read this:\n[File \(file.id) could not be read: No file found with id '\(file.id)'.]\nWhat is the secret?"
            #expect(sentUserTexts(api) == [gone, "Sure?", "And now?"])
        }
    }

    @Test func inlineFileDataIsKeptAsAUserDataFile() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(FakeReply(text: "ok"), FakeReply(text: "ok"))
            let html = Data("<html><body><p>Quarterly revenue: 7 million.</p></body></html>".utf8).base64EncodedString()
            let text = Data("plain words".utf8).base64EncodedString()
            let input = #"""
                [{"role":"user","content":[
                  {"type":"input_file","filename":"report.html","file_data":"data:text/html;base64,\#(html)"},
                  {"type":"input_file","filename":"memo.txt","file_data":"\#(text)"},
                  {"type":"input_text","text":"Summarize."}]}]
                """#
            let response = try await respond(api, #"{"model":"gpt-4o","input":\#(input)}"#)
            let sent = try #require(sentUserTexts(api).first)
            #expect(sent.contains("[File: report.html]\nQuarterly revenue: 7 million.") && sent.contains("[File: memo.txt]\nplain words"))
            #expect(sent.hasSuffix("Summarize."))

            // The input names the kept files, with the filenames given.
            let parts = try await inputItems(api, response.id)
            #expect(parts.count == 3)
            for (part, filename) in zip(parts, ["report.html", "memo.txt"]) {
                guard case .inputFile(let file) = part, let fileID = file.fileID else { Issue.record("\(part)"); continue }
                #expect(file.filename == filename && file.fileData == nil)
                let stored = try await api.call(.get, "/v1/files/\(fileID)").decode(FileObject.self)
                #expect(stored.purpose == "user_data" && stored.filename == filename)
            }
            _ = try await respond(api, #"{"model":"gpt-4o","previous_response_id":"\#(response.id)","input":"More."}"#)
            #expect(sentUserTexts(api).first == sent)
        }
    }

    @Test func anUnstoredResponseLeavesNoFileBehind() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(FakeReply(text: "ok"))
            let data = Data("temporary".utf8).base64EncodedString()
            let input = #"[{"role":"user","content":[{"type":"input_file","filename":"t.txt","file_data":"\#(data)"}]}]"#
            let response = try await respond(api, #"{"model":"gpt-4o","store":false,"input":\#(input)}"#)
            #expect(response.status == .completed)
            #expect(sentUserTexts(api) == ["\n[File: t.txt]\ntemporary\n[End of file: t.txt]\n"])
            #expect(try await api.call(.get, "/v1/files").decode(ListPage<FileObject>.self).data.isEmpty)
        }
    }

    @Test func aConversationItemWithAFileIsReadByItsResponses() async throws {
        try await TestAPI.run(model: true) { api in
            let data = Data("Meeting at noon.".utf8).base64EncodedString()
            let conversation = try await api.call(
                .post, "/v1/conversations",
                #"{"items":[{"role":"user","content":[{"type":"input_file","filename":"plan.txt","file_data":"data:text/plain;base64,\#(data)"}]}]}"#,
                beta: false
            ).decode(Conversation.self)
            let items = try await api.call(.get, "/v1/conversations/\(conversation.id)/items", beta: false).decode(ListPage<ResponseItem>.self)
            guard case .message(let message) = items.data.first, case .inputFile(let file) = message.content.first else {
                Issue.record("no file item: \(items.data)")
                return
            }
            #expect(file.fileID?.hasPrefix("file-") == true && file.filename == "plan.txt" && file.fileData == nil)

            api.model?.enqueue(FakeReply(text: "Noon."))
            _ = try await respond(api, #"{"model":"gpt-4o","conversation":"\#(conversation.id)","input":"When?"}"#)
            #expect(sentUserTexts(api) == ["\n[File: plan.txt]\nMeeting at noon.\n[End of file: plan.txt]\n", "When?"])
        }
    }

    @Test func filesThatCannotBeReadAreRefusedByName() async throws {
        try await TestAPI.run(model: true) { api in
            let image = try await api.upload(Data([0x89, 0x50, 0x4E, 0x47]), filename: "chart.png").decode(FileObject.self)
            let filesBefore = try await api.call(.get, "/v1/files").decode(ListPage<FileObject>.self).data.count
            func body(_ part: String) -> String {
                #"{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"x"},\#(part)]}]}"#
            }
            for (part, status, param, code) in [
                (#"{"type":"input_file","file_id":"file-none"}"#, 404, "input[0].content[1].file_id", "invalid_value"),
                (#"{"type":"input_file","file_id":"\#(image.id)"}"#, 400, "input[0].content[1].file_id", "unsupported_file"),
                (#"{"type":"input_file","file_url":"https://example.com/a.pdf"}"#, 400, "input[0].content[1].file_url", "unsupported_parameter"),
                (#"{"type":"input_file","filename":"a.txt","file_data":"not base64!"}"#, 400, "input[0].content[1].file_data", "invalid_value"),
                (#"{"type":"input_file","filename":"a.txt","file_data":"data:text/plain,hello"}"#, 400, "input[0].content[1].file_data", "invalid_value"),
                (#"{"type":"input_file","filename":"a.exe","file_data":"AAAA"}"#, 400, "input[0].content[1].file_data", "unsupported_file"),
                (#"{"type":"input_file","filename":"a.txt","file_data":"AAAA"}"#, 400, "input[0].content[1].file_data", "invalid_file"),
            ] as [(String, Int, String, String)] {
                for path in ["/v1/responses", "/v1/responses/input_tokens"] {
                    let reply = try await api.call(.post, path, body(part), beta: false)
                    #expect(Int(reply.status.code) == status, "\(path) \(part)")
                    #expect(reply.error?.param == param && reply.error?.code == code, "\(path) \(part): \(String(describing: reply.error))")
                }
            }
            let missing = try await api.call(.post, "/v1/responses", body(#"{"type":"input_file","file_id":"file-none"}"#), beta: false)
            #expect(missing.error?.message == "No file found with id 'file-none'.")
            // Nothing reached the model, and no inline file was kept.
            #expect(api.model?.requests().isEmpty == true)
            #expect(try await api.call(.get, "/v1/files").decode(ListPage<FileObject>.self).data.count == filesBefore)
        }
    }

    @Test func inputTokensCountTheFilesText() async throws {
        try await TestAPI.run(model: true) { api in
            let words = String(repeating: "alpha beta gamma delta ", count: 50)
            let file = try await api.upload(Data(words.utf8), filename: "words.txt").decode(FileObject.self)
            func count(_ part: String) async throws -> Int {
                let body = #"{"input":[{"role":"user","content":[\#(part){"type":"input_text","text":"Count."}]}]}"#
                let reply = try await api.call(.post, "/v1/responses/input_tokens", body, beta: false)
                #expect(reply.status == .ok, "\(String(decoding: reply.bytes, as: UTF8.self))")
                return try reply.decode(InputTokenCount.self).inputTokens
            }
            let plain = try await count("")
            let byID = try await count(#"{"type":"input_file","file_id":"\#(file.id)"},"#)
            let inline = try await count(#"{"type":"input_file","filename":"words.txt","file_data":"\#(Data(words.utf8).base64EncodedString())"},"#)
            // 200 words at least, whichever way the file is given, and nothing kept for counting.
            #expect(byID >= plain + 200 && inline >= plain + 200 && abs(byID - inline) <= 4, "\(plain) \(byID) \(inline)")
            #expect(try await api.call(.get, "/v1/files").decode(ListPage<FileObject>.self).data.count == 1)
        }
    }
}
