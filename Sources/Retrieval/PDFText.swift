import Foundation

/// PDF text through poppler's `pdftotext`, run as a subprocess: PDF parsing is too large a job to
/// do well in-process, and poppler is the standard reader on Linux.
enum PDFText {
    static let executable = "/usr/bin/pdftotext"

    static func text(of data: Data, filename: String) throws(ExtractionError) -> String {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("retrieval-\(UUID().uuidString).pdf")
        defer { try? FileManager.default.removeItem(at: input) }
        do {
            try data.write(to: input)
        } catch {
            throw .invalid("Could not run pdftotext on \(filename): \(error)")
        }
        return try text(ofFileAt: input, filename: filename)
    }

    /// pdftotext reads the file where it is.
    static func text(ofFileAt input: URL, filename: String) throws(ExtractionError) -> String {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw .unsupported("PDF extraction needs \(executable): apt-get install poppler-utils")
        }
        var output = Data()
        var overflowed = false
        let status: Int32
        do {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["-q", "-enc", "UTF-8", input.path, "-"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Read before waiting: a large document would otherwise fill the pipe and block pdftotext. Read
            // in pieces and stop it at the text limit: a small PDF can expand to any amount of text.
            let reader = pipe.fileHandleForReading
            while let piece = try reader.read(upToCount: 1 << 16), !piece.isEmpty {
                output.append(piece)
                if output.count > ExtractionLimits.maxTextBytes {
                    overflowed = true
                    process.terminate()
                    break
                }
            }
            try? reader.close()
            process.waitUntilExit()
            status = process.terminationStatus
        } catch {
            throw .invalid("Could not run pdftotext on \(filename): \(error)")
        }
        if overflowed { try TextExtractor.checkTextSize(output.count, filename: filename) }
        guard status == 0 else { throw .invalid("\(filename) is not a readable PDF (pdftotext exit \(status)).") }
        // pdftotext ends each page with a form feed; a blank line keeps pages apart for the chunker.
        return try TextExtractor.decode(output, filename: filename).replacingOccurrences(of: "\u{0C}", with: "\n\n")
    }
}
