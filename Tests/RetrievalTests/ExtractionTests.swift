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
}
