import Foundation

// Writes every file of the web console as a `ConsoleAsset` of `ConsoleAssets.files`: run by the EmbedConsole
// build-tool plugin as `embed-console <console dir> <output .swift file>`.

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: embed-console <console dir> <output .swift file>\n".utf8))
    exit(2)
}
let source = URL(filePath: arguments[1], directoryHint: .isDirectory)
let target = URL(filePath: arguments[2])

/// A raw multi-line Swift string literal whose value is exactly `text`: enough `#`s that nothing in the text
/// closes the literal or starts an escape or interpolation.
func literal(_ text: String) -> String {
    var hashes = 1
    while text.contains("\"\"\"" + String(repeating: "#", count: hashes)) || text.contains("\\" + String(repeating: "#", count: hashes)) {
        hashes += 1
    }
    let fence = String(repeating: "#", count: hashes)
    return "\(fence)\"\"\"\n\(text)\n\"\"\"\(fence)"
}

/// An entity tag that changes with the content: FNV-1a, 64 bits, in hex.
func etag(_ text: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return "\"" + String(hash, radix: 16) + "\""
}

/// A Swift string literal of a short value (a path, an etag): escaped, on one line.
func quoted(_ value: String) -> String {
    "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

let prefix = source.standardizedFileURL.path(percentEncoded: false)
var paths: [String] = []
if let files = FileManager.default.enumerator(at: source, includingPropertiesForKeys: [.isRegularFileKey]) {
    for case let url as URL in files where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
        let path = url.standardizedFileURL.path(percentEncoded: false)
        paths.append(String(path.dropFirst(prefix.hasSuffix("/") ? prefix.count : prefix.count + 1)))
    }
}
var entries: [String] = []
for relative in paths.sorted() {
    let text = try String(contentsOf: source.appending(path: relative), encoding: .utf8)
    guard !text.contains("\r") else {
        FileHandle.standardError.write(Data("embed-console: console/\(relative) must use \\n line endings\n".utf8))
        exit(1)
    }
    entries.append(
        "        ConsoleAsset(\n            path: \(quoted(relative)), etag: \(quoted(etag(text))),\n            text: \(literal(text))),")
}
let swift = (["// Generated at build time from console/ by embed-console.", "", "extension ConsoleAssets {",
              "    static let files: [ConsoleAsset] = ["] + entries + ["    ]", "}", ""]).joined(separator: "\n")
try Data(swift.utf8).write(to: target, options: .atomic)
