import AssistantsAPI

/// What a run's tools produced that its final message should point at: files the code interpreter
/// wrote (cited in the text as `sandbox:/mnt/data/...`) and the images it drew.
struct ProducedOutputs {
    var files: [String: String] = [:]
    var images: [String] = []

    init(steps: [RunStep]) {
        for step in steps {
            guard case .toolCalls(let calls) = step.details else { continue }
            for call in calls {
                files.merge(call.transcript?.files ?? [:]) { $1 }
                if case .codeInterpreter(let code) = call.kind {
                    for case .image(let fileID) in code.outputs { images.append(fileID) }
                }
            }
        }
    }

    var isEmpty: Bool { files.isEmpty && images.isEmpty }

    /// `file_path` annotations for every `sandbox:<path>` in `text`, in order, located by character offset.
    func annotations(in text: String) -> [Annotation] {
        let scalars = Array(text.unicodeScalars)
        var annotations: [Annotation] = []
        for (path, fileID) in files {
            let marker = Array("sandbox:\(path)".unicodeScalars)
            var start = 0
            while start + marker.count <= scalars.count {
                if Array(scalars[start..<start + marker.count]) == marker {
                    annotations.append(Annotation(
                        kind: .filePath, text: String(String.UnicodeScalarView(marker)), fileID: fileID,
                        startIndex: start, endIndex: start + marker.count))
                    start += marker.count
                } else {
                    start += 1
                }
            }
        }
        return annotations.sorted { $0.startIndex < $1.startIndex }
    }
}
