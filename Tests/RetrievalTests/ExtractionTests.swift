import Foundation
import Testing
@testable import Retrieval

@Suite struct ExtractionTests {
    func extract(_ text: String, _ filename: String) throws -> String {
        try TextExtractor.extract(Data(text.utf8), filename: filename)
    }

    @Test func plainTextMarkdownCSVAndCode() throws {
        #expect(try extract("hello world", "a.txt") == "hello world")
        #expect(try extract("# Title\n\nBody", "README.MD") == "# Title\n\nBody")
        #expect(try extract("name,age\nada,36", "people.csv") == "name,age\nada,36")
        #expect(try extract("func f() {}", "main.swift") == "func f() {}")
        #expect(try extract("print('x')", "x.py") == "print('x')")
        #expect(try extract("\\section{A}", "paper.tex") == "\\section{A}")
    }

    @Test func utf8ByteOrderMarkIsDropped() throws {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data("café".utf8)
        #expect(try TextExtractor.extract(data, filename: "a.txt") == "café")
    }

    @Test func htmlDropsTagsScriptsAndDecodesEntities() throws {
        let html = """
            <html><head><title>T</title><style>p { color: red }</style></head>
            <body><script>var x = "<p>not text</p>";</script>
            <p>Fish &amp; chips &lt;3 &eacute;t&#233; &#x41;&nbsp;B</p><!-- a comment --><p>Second&unknown; para</p></body></html>
            """
        let text = try extract(html, "page.html")
        #expect(text == "Fish & chips <3 été A B\n\nSecond&unknown; para")
    }

    @Test func jsonKeepsKeysAndValues() throws {
        let text = try extract(#"{"name": "Ada", "tags": ["math", "engines"], "born": 1815, "alive": false, "x": null}"#, "a.json")
        #expect(text == "alive: false\nborn: 1815\nname: Ada\ntags: math\ntags: engines")
    }

    @Test func docxParagraphs() throws {
        let data = Fixtures.docx(paragraphs: ["First &amp; foremost.", "Second paragraph."])
        #expect(try TextExtractor.extract(data, filename: "report.docx") == "First & foremost.\n\nSecond paragraph.")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext")))
    func pdfThroughPdftotext() throws {
        let text = try TextExtractor.extract(Fixtures.pdf(text: "Hello retrieval world"), filename: "doc.pdf")
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "Hello retrieval world")
    }

    @Test func errors() {
        #expect(throws: ExtractionError.self) { try extract("x", "image.png") }
        #expect(ExtractionError.unsupported("x").code == "unsupported_file")
        #expect(ExtractionError.invalid("x").code == "invalid_file")
        #expect { try TextExtractor.extract(Data([0xFF, 0x00, 0xC3]), filename: "a.txt") } throws: { isInvalid($0) }
        #expect { try TextExtractor.extract(Data("not a zip".utf8), filename: "a.docx") } throws: { isInvalid($0) }
        #expect { try TextExtractor.extract(Fixtures.zip([("x.txt", Data())]), filename: "a.docx") } throws: { isInvalid($0) }
        #expect { try extract("{nope", "a.json") } throws: { isInvalid($0) }
        #expect { try extract("x", "noextension") } throws: { ($0 as? ExtractionError)?.code == "unsupported_file" }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext")))
    func corruptPDFIsInvalid() {
        #expect { try TextExtractor.extract(Data("%PDF-1.4 garbage".utf8), filename: "a.pdf") } throws: { isInvalid($0) }
    }

    func isInvalid(_ error: any Error) -> Bool { (error as? ExtractionError)?.code == "invalid_file" }

    // MARK: From a file

    func file(_ data: Data) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("extraction-\(UUID().uuidString)")
        try data.write(to: url)
        return url
    }

    @Test func filesGiveTheTextTheirBytesGive() throws {
        let docx = Fixtures.docx(paragraphs: ["First &amp; foremost.", "Second paragraph."])
        let json = Data(#"{"name": "Ada"}"#.utf8)
        for (data, filename) in [(Data("hello world".utf8), "a.txt"), (docx, "report.docx"), (json, "a.json"), (Data("<p>x</p>".utf8), "a.html")] {
            let url = try file(data)
            defer { try? FileManager.default.removeItem(at: url) }
            #expect(try TextExtractor.extract(contentsOf: url, filename: filename) == TextExtractor.extract(data, filename: filename))
        }
        let url = try file(Data("x".utf8))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect { try TextExtractor.extract(contentsOf: url, filename: "image.png") } throws: { ($0 as? ExtractionError)?.code == "unsupported_file" }
        let chunks = try TextExtractor.chunks(ofContentsOf: url, filename: "a.txt", chunker: .auto)
        #expect(chunks.textBytes == 1 && chunks.chunks.map(\.text) == ["x"])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext")))
    func pdfFilesAreReadWhereTheyAre() throws {
        let url = try file(Fixtures.pdf(text: "Hello retrieval world"))
        defer { try? FileManager.default.removeItem(at: url) }
        let text = try TextExtractor.extract(contentsOf: url, filename: "doc.pdf")
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "Hello retrieval world")
    }

    @Test func filesOverTheirLimitAreRefusedAsTheirBytesAre() throws {
        let text = try file(Data(repeating: UInt8(ascii: "a"), count: ExtractionLimits.maxTextBytes + 4096))
        defer { try? FileManager.default.removeItem(at: text) }
        #expect(throws: ExtractionError.invalid("big.txt holds more than 64 MiB of text, the limit for one file.")) {
            try TextExtractor.extract(contentsOf: text, filename: "big.txt")
        }
        let json = try file(Data("[".utf8) + Data(repeating: UInt8(ascii: " "), count: ExtractionLimits.maxJSONBytes) + Data("]".utf8))
        defer { try? FileManager.default.removeItem(at: json) }
        #expect(throws: ExtractionError.invalid("big.json is larger than 8 MiB, the limit for a .json file.")) {
            try TextExtractor.extract(contentsOf: json, filename: "big.json")
        }
    }

    // MARK: Limits

    @Test func aDocxThatInflatesFarIsStoppedWhileInflating() throws {
        // 200 MiB of zeros deflate to about 200 KiB: the ratio bound (100 × that) stops it at ~20 MiB.
        let bomb = try Fixtures.deflatedDocx(zeros: 200 << 20)
        #expect(bomb.count < 1 << 20)
        #expect(throws: ExtractionError.invalid("bomb.docx unpacks to more than 100 times its compressed size, the limit for a .docx file.")) {
            try TextExtractor.extract(bomb, filename: "bomb.docx")
        }
    }

    @Test func aDocxOverTheUnpackedLimitIsStopped() throws {
        // Stored, not deflated: no ratio to trip, only the absolute bound.
        let xml = Data(count: ExtractionLimits.maxUnpackedBytes + 1)
        let big = Fixtures.zip([("word/document.xml", xml)])
        #expect(throws: ExtractionError.invalid("big.docx unpacks to more than 64 MiB, the limit for a .docx file.")) {
            try TextExtractor.extract(big, filename: "big.docx")
        }
    }

    @Test func textOverTheByteLimitIsRefusedUnread() {
        let data = Data(repeating: UInt8(ascii: "a"), count: ExtractionLimits.maxTextBytes + 1)
        #expect(throws: ExtractionError.invalid("big.txt holds more than 64 MiB of text, the limit for one file.")) {
            try TextExtractor.extract(data, filename: "big.txt")
        }
    }

    @Test func jsonOverItsLimitIsRefusedUnparsed() {
        let data = Data("[".utf8) + Data(repeating: UInt8(ascii: " "), count: ExtractionLimits.maxJSONBytes) + Data("]".utf8)
        #expect(throws: ExtractionError.invalid("big.json is larger than 8 MiB, the limit for a .json file.")) {
            try TextExtractor.extract(data, filename: "big.json")
        }
    }

    @Test func textOverTheTokenLimitIsRefusedBeforeChunking() throws {
        // One "word" with no whitespace: a token per four letters.
        let limit = ExtractionLimits.maxTokens
        let over = Data(repeating: UInt8(ascii: "x"), count: limit * 4 + 1)
        #expect(throws: ExtractionError.invalid("word.txt holds more than 5,000,000 tokens, the limit for one file.")) {
            try TextExtractor.chunks(of: over, filename: "word.txt", chunker: .auto)
        }
        let within = try TextExtractor.chunks(of: Data(repeating: UInt8(ascii: "x"), count: 400_000), filename: "word.txt", chunker: .auto)
        #expect(within.textBytes == 400_000)
        #expect(within.chunks.allSatisfy { $0.tokenCount <= 800 })
        #expect(within.chunks.last?.end == 400_000)
    }
}
