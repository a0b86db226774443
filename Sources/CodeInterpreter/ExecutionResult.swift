import Foundation

/// A file in a session's /mnt/data; `name` is relative to it and may contain subdirectories.
public struct SandboxFile: Sendable, Equatable {
    public var name: String
    public var contents: Data

    public init(name: String, contents: Data) {
        self.name = name
        self.contents = contents
    }
}

/// What one execution produced.
public struct ExecutionResult: Sendable, Equatable {
    /// Captured stdout and stderr (Python- and C-level), capped to the output limit, tracebacks included;
    /// ends with a note when the session timed out or was reset.
    public var output: String
    /// PNGs of the matplotlib figures left open by the code.
    public var images: [Data]
    /// Files under /mnt/data that the execution created or changed.
    public var files: [SandboxFile]
    /// The code raised, timed out, or the session died.
    public var failed: Bool

    public init(output: String, images: [Data] = [], files: [SandboxFile] = [], failed: Bool) {
        self.output = output
        self.images = images
        self.files = files
        self.failed = failed
    }
}
