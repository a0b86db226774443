import AssistantsAPI
import Foundation

extension AssistantsClient {
    /// `/files`: uploads, their records, and their contents.
    public struct Files: Sendable {
        let transport: Transport

        /// Uploads the file at `path`, streaming it from disk; the name sent is the path's last component.
        public func upload(path: String, purpose: UploadPurpose = .assistants, expiresAfterSeconds: Int? = nil) async throws -> FileObject {
            let filename = URL(fileURLWithPath: path).lastPathComponent
            return try await upload(MultipartForm(fields: Self.fields(purpose, expiresAfterSeconds), filename: filename, contents: .path(path)))
        }

        /// Uploads `data` under `filename`.
        public func upload(_ data: Data, filename: String, purpose: UploadPurpose = .assistants, expiresAfterSeconds: Int? = nil) async throws -> FileObject {
            try await upload(MultipartForm(fields: Self.fields(purpose, expiresAfterSeconds), filename: filename, contents: .data(data)))
        }

        private var endpoints: ObjectEndpoints<FileObject> { ObjectEndpoints(transport, "/files") }

        public func retrieve(_ id: String) async throws -> FileObject { try await endpoints.retrieve(id) }

        /// The file's bytes.
        public func content(_ id: String) async throws -> Data {
            try await transport.bytes(APIRequest(.GET, "/files/\(id)/content"))
        }

        public func delete(_ id: String) async throws -> DeletionStatus { try await endpoints.delete(id) }

        /// Files, optionally only those of one `purpose`. Pages hold up to 10,000 files; there is no `before`.
        public func list(purpose: String? = nil, _ query: ListQuery = .init(limit: 10_000)) -> PagedSequence<FileObject> {
            endpoints.list(query, extra: purpose.map { [(name: "purpose", value: $0)] } ?? [])
        }

        private func upload(_ form: MultipartForm) async throws -> FileObject {
            var request = APIRequest(.POST, "/files")
            request.contentType = form.contentType
            request.body = { try form.body() }
            return try await transport.json(request)
        }

        private static func fields(_ purpose: UploadPurpose, _ expiresAfterSeconds: Int?) -> [(name: String, value: String)] {
            var fields = [(name: "purpose", value: purpose.rawValue)]
            if let expiresAfterSeconds {
                fields += [(name: "expires_after[anchor]", value: "created_at"), (name: "expires_after[seconds]", value: String(expiresAfterSeconds))]
            }
            return fields
        }
    }
}
