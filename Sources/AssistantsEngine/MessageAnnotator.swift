import AssistantsAPI

/// What a run's tools produced that its final message should point at: files the code interpreter
/// wrote (cited in the text as `sandbox:/mnt/data/...`), the images it drew, and the results of
/// `file_search` calls (cited by their markers).
struct ProducedOutputs {
    var files: [String: String] = [:]
    var images: [String] = []
    /// Per `file_search` call of the run, in order, its results.
    var searches: [[FileSearchResult]] = []
    /// The container a response's code writes its files in: their paths are `container_file_citation`s.
    var containerID: String?

    init(steps: [RunStep], containerID: String? = nil) {
        self.containerID = containerID
        for step in steps {
            guard case .toolCalls(let calls) = step.details else { continue }
            for call in calls {
                files.merge(call.transcript?.files ?? [:]) { $1 }
                switch call.kind {
                case .codeInterpreter(let code): for case .image(let fileID) in code.outputs { images.append(fileID) }
                case .fileSearch(let search): searches.append(search.results)
                case .function: break
                }
            }
        }
    }

    /// The annotations for `text`: file paths and citations, in order of position.
    func annotations(in text: String) -> [Annotation] {
        (filePaths(in: text) + citations(in: text)).sorted { $0.startIndex < $1.startIndex }
    }

    /// A `file_citation` for every marker naming a result of the run's searches. A marker whose numbers
    /// are off but whose filename is that of a result found is matched by the filename.
    func citations(in text: String) -> [Annotation] {
        guard !searches.isEmpty else { return [] }
        return CitationMarker.all(in: text).compactMap { marker, range in
            let results = searches.indices.contains(marker.call) ? searches[marker.call] : []
            let exact = results.indices.contains(marker.result) ? results[marker.result] : nil
            let cited = exact ?? searches.joined().first { $0.fileName == marker.filename }
            guard let cited else { return nil }
            let markerText = String(String.UnicodeScalarView(Array(text.unicodeScalars)[range]))
            return Annotation(kind: .fileCitation, text: markerText, fileID: cited.fileID, startIndex: range.lowerBound, endIndex: range.upperBound)
        }
    }

    /// `file_path` annotations for every `sandbox:<path>` in `text`, located by character offset.
    private func filePaths(in text: String) -> [Annotation] {
        let scalars = Array(text.unicodeScalars)
        var annotations: [Annotation] = []
        for (path, fileID) in files {
            let marker = Array("sandbox:\(path)".unicodeScalars)
            var start = 0
            while start + marker.count <= scalars.count {
                if Array(scalars[start..<start + marker.count]) == marker {
                    annotations.append(Annotation(
                        kind: .filePath, text: String(String.UnicodeScalarView(marker)), fileID: fileID,
                        startIndex: start, endIndex: start + marker.count, containerID: containerID))
                    start += marker.count
                } else {
                    start += 1
                }
            }
        }
        return annotations
    }
}
