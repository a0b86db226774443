import Foundation

/// Reads `text/event-stream` bytes into events as their frames complete. Follows the format's rules:
/// `data:` lines accumulate, a blank line ends a frame, lines starting with `:` are comments, and the
/// space after a field's colon is optional.
struct ServerSentEvents {
    struct Event: Equatable {
        var name: String
        var data: Data
    }

    private var pending: [UInt8] = []
    private var name: String?
    private var data: [UInt8]?

    /// The events completed by `bytes`.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        var start = pending.startIndex
        while let newline = pending[start...].firstIndex(of: 0x0A) {
            var line = pending[start..<newline]
            start = newline + 1
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty {
                if let data { events.append(Event(name: name ?? "message", data: Data(data))) }
                (name, data) = (nil, nil)
            } else if line.first != 0x3A {
                field(line)
            }
        }
        pending.removeSubrange(..<start)
        return events
    }

    private mutating func field(_ line: ArraySlice<UInt8>) {
        let colon = line.firstIndex(of: 0x3A) ?? line.endIndex
        var value = line[colon...].dropFirst()
        if value.first == 0x20 { value = value.dropFirst() }
        switch String(decoding: line[..<colon], as: UTF8.self) {
        case "event": name = String(decoding: value, as: UTF8.self)
        case "data": data = data.map { $0 + [0x0A] + value } ?? Array(value)
        default: break
        }
    }
}
