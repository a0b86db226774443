import Foundation

/// Reads `text/event-stream` bytes into events as their frames complete: the one parser for the model
/// endpoints the server reads and the server's own streams the SDK reads. Follows the format's rules:
/// `data:` lines accumulate, a blank line ends a frame, lines starting with `:` are comments, and the
/// space after a field's colon is optional. One liberty: a bare `error:` field, which llama.cpp's server
/// writes for a failure inside a stream, is read as an event named `error` with that field as its data.
public struct ServerSentEvents: Sendable {
    public struct Event: Equatable, Sendable {
        public var name: String
        public var data: Data

        public init(name: String, data: Data) {
            self.name = name
            self.data = data
        }
    }

    private var pending: [UInt8] = []
    private var name: String?
    private var data: [UInt8]?

    public init() {}

    /// The events completed by `bytes`. Consumed lines are dropped once per call, not once per line.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        var start = pending.startIndex
        while let newline = pending[start...].firstIndex(of: 0x0A) {
            var line = pending[start..<newline]
            start = newline + 1
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty {
                if let event = dispatch() { events.append(event) }
            } else if line.first != 0x3A {
                field(line)
            }
        }
        pending.removeSubrange(..<start)
        return events
    }

    /// The frame left open when the stream ends, if its data is complete: a last line ended by a newline
    /// but not followed by the blank line that would have closed its frame.
    public mutating func finish() -> Event? {
        pending.removeAll()
        return dispatch()
    }

    private mutating func dispatch() -> Event? {
        defer { (name, data) = (nil, nil) }
        return data.map { Event(name: name ?? "message", data: Data($0)) }
    }

    private mutating func field(_ line: ArraySlice<UInt8>) {
        let colon = line.firstIndex(of: 0x3A) ?? line.endIndex
        var value = line[colon...].dropFirst()
        if value.first == 0x20 { value = value.dropFirst() }
        switch String(decoding: line[..<colon], as: UTF8.self) {
        case "event": name = String(decoding: value, as: UTF8.self)
        case "data": data = data.map { $0 + [0x0A] + value } ?? Array(value)
        case "error": (name, data) = ("error", Array(value))
        default: break
        }
    }
}
