import AssistantsAPI
import Testing
@testable import AssistantsEngine

@Suite struct ProducedOutputsTests {
    static let step = RunStep(
        id: "step_1", createdAt: 1, assistantID: "asst_1", threadID: "thread_1", runID: "run_1",
        details: .toolCalls([
            ToolCall(
                id: "call_1", kind: .codeInterpreter(.init(input: "...", outputs: [.logs("ok"), .image(fileID: "file-img")])),
                transcript: .init(arguments: "{}", output: "ok", files: ["/mnt/data/out.csv": "file-csv", "/mnt/data/é.txt": "file-e"])),
        ]))

    @Test func collectsFilesAndImagesOfTheRun() {
        let produced = ProducedOutputs(steps: [Self.step])
        #expect(produced.images == ["file-img"])
        #expect(produced.files == ["/mnt/data/out.csv": "file-csv", "/mnt/data/é.txt": "file-e"])
    }

    @Test func annotatesEveryCitationByCharacterOffset() {
        let produced = ProducedOutputs(steps: [Self.step])
        let text = "Done ✓: [csv](sandbox:/mnt/data/out.csv), [é](sandbox:/mnt/data/é.txt) and again sandbox:/mnt/data/out.csv."
        let annotations = produced.annotations(in: text)
        #expect(annotations.map(\.fileID) == ["file-csv", "file-e", "file-csv"])
        let scalars = Array(text.unicodeScalars)
        for annotation in annotations {
            #expect(annotation.kind == .filePath)
            #expect(String(String.UnicodeScalarView(scalars[annotation.startIndex..<annotation.endIndex])) == annotation.text)
        }
        #expect(annotations.first?.startIndex == 14)
    }

    @Test func textWithoutCitationsHasNoAnnotations() {
        #expect(ProducedOutputs(steps: [Self.step]).annotations(in: "/mnt/data/out.csv without the scheme").isEmpty)
        #expect(ProducedOutputs(steps: []).annotations(in: "sandbox:/mnt/data/out.csv 【0:0†a.txt】").isEmpty)
    }

    static func searchStep(_ results: [FileSearchResult]) -> RunStep {
        RunStep(
            id: "step_2", createdAt: 1, assistantID: "asst_1", threadID: "thread_1", runID: "run_1",
            details: .toolCalls([ToolCall(id: "call_2", kind: .fileSearch(.init(results: results)))]))
    }

    @Test func citationMarkersBecomeFileCitations() {
        let first = Self.searchStep([
            FileSearchResult(fileID: "file-a", fileName: "a.txt", score: 0.9),
            FileSearchResult(fileID: "file-b", fileName: "b.md", score: 0.5),
        ])
        let second = Self.searchStep([FileSearchResult(fileID: "file-c", fileName: "c.pdf", score: 0.7)])
        let produced = ProducedOutputs(steps: [Self.step, first, second])
        let text = "Café hours are 8–5【0:1†b.md】 and prices low【1:0†c.pdf】; see sandbox:/mnt/data/out.csv. Bogus【7:3†nowhere】."
        let annotations = produced.annotations(in: text)
        #expect(annotations.map(\.fileID) == ["file-b", "file-c", "file-csv"])
        #expect(annotations.map(\.kind) == [.fileCitation, .fileCitation, .filePath])
        let scalars = Array(text.unicodeScalars)
        for annotation in annotations {
            #expect(String(String.UnicodeScalarView(scalars[annotation.startIndex..<annotation.endIndex])) == annotation.text)
        }
        #expect(annotations[0].text == "【0:1†b.md】")
    }

    @Test func aMarkerWithWrongNumbersIsMatchedByItsFilename() {
        let produced = ProducedOutputs(steps: [Self.searchStep([FileSearchResult(fileID: "file-a", fileName: "a.txt", score: 1)])])
        #expect(produced.citations(in: "Yes【4:2†a.txt】").map(\.fileID) == ["file-a"])
        #expect(produced.citations(in: "Yes【x:y†a.txt】 and 【unclosed").isEmpty)
    }
}

@Suite struct SandboxNameTests {
    @Test(arguments: [("report.csv", "report.csv"), ("../../etc/passwd", "passwd"), ("dir/sub/a.txt", "a.txt"), ("..", "file-1"), ("", "file-1"), ("/", "file-1")])
    func uploadedNamesStayInsideTheDataDirectory(filename: String, expected: String) {
        #expect(CodeInterpreterTool.sandboxName(filename, id: "file-1") == expected)
    }
}
