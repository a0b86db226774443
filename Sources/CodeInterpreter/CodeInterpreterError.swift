/// Why code could not be run at all. Errors of the code itself are output, not these.
public enum CodeInterpreterError: Error, Equatable, CustomStringConvertible {
    /// No usable sandbox (bubblewrap, prlimit or Python missing); the message says how to install it.
    case sandboxUnavailable(String)
    /// The sandbox was found but a session could not start in it (for example user namespaces are disabled).
    case sessionStartFailed(String)
    /// A file name that is empty, absolute or leaves /mnt/data.
    case invalidFileName(String)
    /// The caller's task was cancelled before the code ran.
    case cancelled
    /// The service has been shut down.
    case shutDown

    public var description: String {
        switch self {
        case .sandboxUnavailable(let message): "Code interpreter unavailable: \(message)"
        case .sessionStartFailed(let message): "Code interpreter session failed to start: \(message)"
        case .invalidFileName(let name): "Invalid file name for the code interpreter: \(name)"
        case .cancelled: "Code execution was cancelled"
        case .shutDown: "The code interpreter has shut down"
        }
    }
}
