/// An error as the Assistants API reports it: an HTTP status and OpenAI's error object.
/// Everything that goes wrong on a request ends up as one of these, mapped to HTTP in one place.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var type: String
    public var message: String
    public var param: String?
    public var code: String?
    /// Seconds the client should wait before trying again (`retry-after`), for a 429.
    public var retryAfter: Int?

    public init(status: Int, type: String, message: String, param: String? = nil, code: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.type = type
        self.message = message
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
    }

    /// A project at its limit of active runs. A 429, so that the SDKs wait and try again: a run ending frees
    /// a place.
    public static func tooManyActiveRuns(limit: Int) -> APIError {
        APIError(
            status: 429, type: "requests",
            message: "This project has \(limit) active runs, its limit: wait for one to end, then try again.",
            code: "active_runs_limit_exceeded", retryAfter: 1)
    }

    /// A key over its requests per minute, in OpenAI's words. The SDKs wait `retry-after` and try again.
    public static func rateLimited(limit: Int, retryAfter: Int) -> APIError {
        APIError(
            status: 429, type: "requests",
            message: "Rate limit reached on requests per min (RPM): Limit \(limit), Used \(limit), Requested 1. Please try again in \(retryAfter)s.",
            code: "rate_limit_exceeded", retryAfter: retryAfter)
    }

    public var description: String { "\(status) \(type): \(message)" }

    public var envelope: ErrorEnvelope { ErrorEnvelope(error: .init(message: message, type: type, param: param, code: code)) }

    public static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: 400, type: "invalid_request_error", message: message, param: param, code: code)
    }

    /// OpenAI's 404 wording: "No assistant found with id 'asst_x'." The Responses family words it the other
    /// way round: "Response with id 'resp_x' not found."
    public static func notFound(_ kind: ObjectKind, id: String) -> APIError {
        let message = switch kind {
        case .file: "No such File object: \(id)"
        case .response, .conversation, .container, .containerFile, .functionCall, .functionCallOutput, .fileSearchCall,
             .codeInterpreterCall:
            "\(kind.displayName.prefix(1).uppercased() + kind.displayName.dropFirst()) with id '\(id)' not found."
        default: "No \(kind.displayName) found with id '\(id)'."
        }
        return APIError(status: 404, type: "invalid_request_error", message: message, param: nil, code: nil)
    }

    /// A conversation item that does not exist, whatever its kind: "Item with id 'msg_x' not found."
    public static func itemNotFound(id: String) -> APIError {
        APIError(status: 404, type: "invalid_request_error", message: "Item with id '\(id)' not found.", param: nil, code: nil)
    }

    /// A container past its `expires_after`: its files are gone and nothing can be added or run in it.
    public static func containerExpired(id: String) -> APIError {
        invalidRequest("Container with id '\(id)' has expired and can no longer be used.", code: "container_expired")
    }

    public static func invalidValue(_ value: String, param: String, supported: [String]) -> APIError {
        invalidRequest("Invalid value: '\(value)'. Supported values are: \(englishList(supported.map { "'\($0)'" })).", param: param, code: "invalid_value")
    }

    public static func invalidType(param: String, expected: String, got: String) -> APIError {
        invalidRequest("Invalid type for '\(param)': expected \(expected), but got \(got) instead.", param: param, code: "invalid_type")
    }

    public static func missingParameter(_ param: String) -> APIError {
        invalidRequest("Missing required parameter: '\(param)'.", param: param, code: "missing_required_parameter")
    }

    public static let malformedJSON = invalidRequest(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
    )

    public static let missingBetaHeader = invalidRequest(
        "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again by setting the header 'OpenAI-Beta: assistants=v2'.",
        code: "invalid_beta"
    )

    public static let deprecatedBetaHeader = invalidRequest(
        "The v1 Assistants API has been deprecated. Please try again by setting the header 'OpenAI-Beta: assistants=v2'.",
        code: "invalid_beta"
    )

    public static let missingAPIKey = APIError(
        status: 401, type: "invalid_request_error",
        message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
    )

    public static func incorrectAPIKey(_ key: String) -> APIError {
        let shown = key.count > 8 ? "\(key.prefix(3))***\(key.suffix(4))" : "***"
        return APIError(status: 401, type: "invalid_request_error", message: "Incorrect API key provided: \(shown).", code: "invalid_api_key")
    }

    public static func invalidID(_ param: String, value: String, prefix: String) -> APIError {
        invalidRequest("Invalid '\(param)': '\(value)'. Expected an ID that begins with '\(prefix)'.", param: param, code: "invalid_value")
    }

    public static let serverError = APIError(
        status: 500, type: "server_error",
        message: "The server had an error while processing your request. Sorry about that!"
    )

    /// 503 from `/health` while the database cannot be reached (the cause goes to the log, not the client).
    public static let storageUnavailable = APIError(
        status: 503, type: "server_error",
        message: "The server cannot reach its database at the moment. Please try again later.",
        code: "service_unavailable"
    )
}

/// `{"error": {"message", "type", "param", "code"}}`, always with all four keys.
public struct ErrorEnvelope: Codable, Sendable, Equatable {
    public struct Body: Codable, Sendable, Equatable {
        public var message: String
        public var type: String
        public var param: String?
        public var code: String?

        public init(message: String, type: String, param: String?, code: String?) {
            self.message = message
            self.type = type
            self.param = param
            self.code = code
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(message, forKey: .message)
            try container.encode(type, forKey: .type)
            try container.encode(param, forKey: .param)
            try container.encode(code, forKey: .code)
        }
    }

    public var error: Body

    public init(error: Body) {
        self.error = error
    }
}

/// "'a', 'b', and 'c'" as OpenAI writes lists of values in its messages.
func englishList(_ items: [String]) -> String {
    switch items.count {
    case 0: ""
    case 1: items[0]
    case 2: "\(items[0]) and \(items[1])"
    default: items.dropLast().joined(separator: ", ") + ", and " + items[items.count - 1]
    }
}
