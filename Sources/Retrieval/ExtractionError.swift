/// Why a file could not be turned into text. The cases map to OpenAI's vector store file
/// `last_error.code`: `unsupported` to `unsupported_file`, `invalid` to `invalid_file`.
public enum ExtractionError: Error, Equatable, Sendable {
    /// The file type is unknown or binary.
    case unsupported(String)
    /// The file claims a supported type but is corrupt or its text cannot be decoded.
    case invalid(String)

    /// The OpenAI `last_error.code` for this error.
    public var code: String {
        switch self {
        case .unsupported: "unsupported_file"
        case .invalid: "invalid_file"
        }
    }

    public var message: String {
        switch self {
        case .unsupported(let message), .invalid(let message): message
        }
    }
}
