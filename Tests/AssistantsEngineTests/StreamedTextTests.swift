import AssistantsAPI
import Testing
@testable import AssistantsEngine

/// How a message's text is cut into deltas as the model streams it.
@Suite struct StreamedTextTests {
    static let produced = ProducedOutputs(steps: [ProducedOutputsTests.searchStep([
        FileSearchResult(fileID: "file-a", fileName: "a.txt", score: 0.9),
        FileSearchResult(fileID: "file-b", fileName: "b.md", score: 0.5),
    ])])

    /// Each delta's text, and the citations it carries as (index, file, start, end).
    struct Sent: Equatable {
        var value: String
        var citations: [[String]] = []
    }

    static func sent(_ deltas: [MessageContentDelta]) -> [Sent] {
        deltas.map { delta in
            guard case .text(let value, let annotations) = delta.kind else { return Sent(value: "<image>") }
            return Sent(value: value, citations: annotations.map {
                ["\($0.index)", $0.value.fileID, "\($0.value.startIndex)", "\($0.value.endIndex)"]
            })
        }
    }

    @Test func aMarkerSplitAcrossFragmentsIsSentWholeWithItsCitation() {
        var text = StreamedText(produced: Self.produced)
        var deltas: [MessageContentDelta] = []
        for fragment in ["Tea ", "is gr", "een【0", ":1†b", ".md】 and", " hot【0:0", "†a.txt】."] { deltas += text.append(fragment) }
        deltas += text.flush()
        #expect(Self.sent(deltas) == [
            Sent(value: "Tea "), Sent(value: "is gr"), Sent(value: "een"),
            Sent(value: "【0:1†b.md】", citations: [["0", "file-b", "12", "22"]]),
            Sent(value: " and"), Sent(value: " hot"),
            Sent(value: "【0:0†a.txt】", citations: [["1", "file-a", "30", "41"]]),
            Sent(value: "."),
        ])
        #expect(text.annotations.map(\.fileID) == ["file-b", "file-a"])
        #expect(text.text == "Tea is green【0:1†b.md】 and hot【0:0†a.txt】.")
    }

    @Test func bracketsThatCiteNothingAreSentAsTheyAre() {
        var text = StreamedText(produced: Self.produced)
        let sent = Self.sent(text.append("A【note】 and 【7:7†nowhere】 and 【a【0:0†a.txt】"))
        #expect(sent.map(\.value).joined() == "A【note】 and 【7:7†nowhere】 and 【a【0:0†a.txt】")
        #expect(sent.flatMap(\.citations) == [["0", "file-a", "32", "43"]])
    }

    @Test func anOpenMarkerIsHeldUntilItClosesOrTheTextEnds() {
        var text = StreamedText(produced: Self.produced)
        #expect(Self.sent(text.append("See 【0:0")) == [Sent(value: "See ")])
        #expect(text.append("†a.t").isEmpty)
        #expect(Self.sent(text.flush()) == [Sent(value: "【0:0†a.t")])
    }

    @Test func aBracketLeftOpenTooLongIsPlainText() {
        var text = StreamedText(produced: Self.produced)
        _ = text.append("【")
        let long = String(repeating: "x", count: StreamedText.longestMarker + 1)
        #expect(Self.sent(text.append(long)) == [Sent(value: "【" + long)])
    }
}
