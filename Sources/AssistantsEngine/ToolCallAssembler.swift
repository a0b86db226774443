import AssistantsAPI

/// Puts tool calls back together from their streamed fragments (matched by `index`), and says what each
/// fragment adds in the shape of a `thread.run.step.delta`.
struct ToolCallAssembler {
    struct Call {
        var index: Int
        var id: String
        var name: String
        var arguments = ""
        var code: JSONStringField?
        /// Set once the call's first delta (with its id and type) has been sent.
        var announced = false
    }

    private(set) var calls: [Int: Call] = [:]

    /// Adds a fragment; returns the delta to send, if it adds anything a client can see.
    mutating func add(index: Int, id: String?, name: String?, arguments: String?) -> ToolCallDelta? {
        var call = calls[index] ?? Call(index: index, id: id ?? ObjectKind.toolCall.newID(), name: "")
        // The name may come in pieces before the call is announced; some servers repeat it in every fragment.
        if let name, !name.isEmpty, !call.announced { call.name += name }
        call.arguments += arguments ?? ""
        defer { calls[index] = call }
        // Some endpoints send the name after the id; nothing is announced until it is known.
        guard !call.name.isEmpty else { return nil }
        let fresh = !call.announced
        call.announced = true
        switch call.name {
        case "code_interpreter":
            if call.code == nil { call.code = JSONStringField(name: "code") }
            let code = call.code!.feed(fresh ? call.arguments : arguments ?? "")
            if fresh { return ToolCallDelta(index: index, id: call.id, kind: .codeInterpreter(input: code, outputs: [])) }
            return code.isEmpty ? nil : ToolCallDelta(index: index, kind: .codeInterpreter(input: code, outputs: nil))
        case "file_search":
            return fresh ? ToolCallDelta(index: index, id: call.id, kind: .fileSearch) : nil
        default:
            if fresh {
                return ToolCallDelta(index: index, id: call.id, kind: .function(name: call.name, arguments: call.arguments, output: .some(nil)))
            }
            guard let arguments, !arguments.isEmpty else { return nil }
            return ToolCallDelta(index: index, kind: .function(name: nil, arguments: arguments, output: nil))
        }
    }

    var ordered: [Call] { calls.values.sorted { $0.index < $1.index } }
}

/// Decodes one string field of a JSON object as the object streams in, so that the code the model writes
/// for `code_interpreter` (`{"code": "..."}`) can be shown as it is written.
struct JSONStringField {
    private enum State { case seekingKey, seekingColon, seekingQuote, inString, escape, unicode(String), done }

    private let key: [Character]
    private var state = State.seekingKey
    private var recent: [Character] = []

    init(name: String) {
        key = Array("\"\(name)\"")
    }

    /// The field's decoded characters that `fragment` completes.
    mutating func feed(_ fragment: String) -> String {
        var output = ""
        for character in fragment {
            switch state {
            case .seekingKey:
                recent.append(character)
                if recent.count > key.count { recent.removeFirst() }
                if recent == key { state = .seekingColon }
            case .seekingColon:
                if character == ":" { state = .seekingQuote } else if !character.isWhitespace { state = .seekingKey }
            case .seekingQuote:
                if character == "\"" { state = .inString } else if !character.isWhitespace { state = .done }
            case .inString:
                if character == "\\" { state = .escape } else if character == "\"" { state = .done } else { output.append(character) }
            case .escape:
                state = .inString
                switch character {
                case "n": output.append("\n")
                case "t": output.append("\t")
                case "r": output.append("\r")
                case "b": output.append("\u{8}")
                case "f": output.append("\u{c}")
                case "u": state = .unicode("")
                default: output.append(character)
                }
            case .unicode(let digits):
                let hex = digits + String(character)
                if hex.count < 4 {
                    state = .unicode(hex)
                } else {
                    state = .inString
                    if let scalar = UInt32(hex, radix: 16).flatMap(Unicode.Scalar.init) { output.unicodeScalars.append(scalar) }
                }
            case .done:
                return output
            }
        }
        return output
    }
}
