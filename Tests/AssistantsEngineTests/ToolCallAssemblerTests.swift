import AssistantsAPI
import Testing
@testable import AssistantsEngine

@Suite struct ToolCallAssemblerTests {
    @Test func functionCallsStreamAsOpenAIDoes() {
        var assembler = ToolCallAssembler()
        let first = assembler.add(index: 0, id: "call_1", name: "get_weather", arguments: "")
        #expect(first == ToolCallDelta(index: 0, id: "call_1", kind: .function(name: "get_weather", arguments: "", output: .some(nil))))
        let second = assembler.add(index: 0, id: nil, name: nil, arguments: #"{"city":"#)
        #expect(second == ToolCallDelta(index: 0, kind: .function(name: nil, arguments: #"{"city":"#, output: nil)))
        _ = assembler.add(index: 1, id: "call_2", name: "get_time", arguments: "{}")
        _ = assembler.add(index: 0, id: nil, name: nil, arguments: #""SF"}"#)
        #expect(assembler.ordered.map(\.arguments) == [#"{"city":"SF"}"#, "{}"])
        #expect(assembler.ordered.map(\.id) == ["call_1", "call_2"])
    }

    @Test func aCallIsAnnouncedOnceItsNameIsKnown() {
        var assembler = ToolCallAssembler()
        #expect(assembler.add(index: 0, id: "call_1", name: nil, arguments: "{") == nil)
        let announced = assembler.add(index: 0, id: nil, name: "lookup", arguments: "}")
        #expect(announced == ToolCallDelta(index: 0, id: "call_1", kind: .function(name: "lookup", arguments: "{}", output: .some(nil))))
    }

    @Test func codeStreamsAsDecodedInput() {
        var assembler = ToolCallAssembler()
        var input = ""
        for fragment in [#"{"co"#, #"de": "print(\"hi\")\n"#, #"x = 1\u00e9"#, #"\t# done"}"#] {
            if case .codeInterpreter(let code, _)? = assembler.add(index: 0, id: "call_c", name: "code_interpreter", arguments: fragment)?.kind {
                input += code ?? ""
            }
        }
        #expect(input == "print(\"hi\")\nx = 1é\t# done")
    }

    @Test func stringFieldIgnoresOtherKeys() {
        var field = JSONStringField(name: "code")
        #expect(field.feed(#"{"language":"python","code":"1+1","note":"x"}"#) == "1+1")
        var split = JSONStringField(name: "code")
        let pieces = [#"{"code"#, #"":"a\"#, #"nb\u00"#, #"41"}"#].map { split.feed($0) }
        #expect(pieces.joined() == "a\nbA")
    }
}
