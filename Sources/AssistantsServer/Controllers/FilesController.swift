import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import Hummingbird

/// `/files`: uploads stream to the blob store; records live in the store.
struct FilesController<Context: RequestContext> {
    let store: any AssistantsStore
    let blobs: any BlobStore
    let vectorStores: VectorStores

    func addRoutes(to group: RouterGroup<Context>) {
        group
            .post(use: upload)
            .get(use: list)
            .get(":file_id", use: retrieve)
            .delete(":file_id", use: delete)
            .get(":file_id/content", use: content)
    }

    @Sendable func upload(_ request: Request, context: Context) async throws -> Response {
        let upload = try await MultipartUpload.read(request, into: blobs, maxFileSize: FileLimits.maxBytes)
        guard let file = upload.file else { throw APIError.missingParameter("file") }
        do {
            let record = try Self.record(for: file, fields: upload.fields, now: vectorStores.clock.now())
            try await blobs.commit(file.staged, as: record.id)
            try await store.createFile(record, contentsIn: blobs)
            return .json(record)
        } catch {
            blobs.discard(file.staged)
            throw error
        }
    }

    /// The file record an upload makes, after checking `purpose` and `expires_after`.
    static func record(for file: MultipartUpload.File, fields: [String: String], now: Int) throws -> FileObject {
        guard let rawPurpose = fields["purpose"] else { throw APIError.missingParameter("purpose") }
        guard let purpose = UploadPurpose(rawValue: rawPurpose) else {
            throw APIError.invalidValue(rawPurpose, param: "purpose", supported: UploadPurpose.allCases.map(\.rawValue))
        }
        var lifetime = purpose.defaultLifetime
        if let anchor = fields["expires_after[anchor]"], anchor != "created_at" {
            throw APIError.invalidValue(anchor, param: "expires_after.anchor", supported: ["created_at"])
        }
        if let raw = fields["expires_after[seconds]"] {
            guard let seconds = Int(raw) else {
                throw APIError.invalidType(param: "expires_after.seconds", expected: "an integer", got: "'\(raw)'")
            }
            try Check.integer(seconds, in: FileLimits.expiresAfterSeconds, param: "expires_after.seconds")
            lifetime = seconds
        }
        return FileObject(
            id: ObjectKind.file.newID(), bytes: file.bytes, createdAt: now, expiresAt: lifetime.map { now + $0 },
            filename: file.filename, purpose: purpose.rawValue)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let query = try request.listQuery(limits: 1...10_000, defaultLimit: 10_000, allowsBefore: false)
        return .json(try await store.listFiles(purpose: request.query("purpose"), query))
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        .json(try await file(context))
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.id("file_id", of: .file)
        guard try await vectorStores.deleteUploadedFile(id) else { throw APIError.notFound(.file, id: id) }
        return .json(DeletionStatus(id: id, object: "file"))
    }

    /// The file's bytes.
    @Sendable func content(_ request: Request, context: Context) async throws -> Response {
        let record = try await file(context)
        guard let contents = try await blobs.contents(of: record.id) else { throw APIError.notFound(.file, id: record.id) }
        return .contents(contents)
    }

    private func file(_ context: Context) async throws -> FileObject {
        let id = try context.parameters.id("file_id", of: .file)
        guard let record = try await store.file(id: id) else { throw APIError.notFound(.file, id: id) }
        return record
    }
}

extension Response {
    /// A blob's bytes, streamed a chunk at a time from whichever store holds it, with their length announced.
    static func contents(_ contents: BlobContents) -> Response {
        let body = ResponseBody(contentLength: contents.size) { writer in
            for try await chunk in contents { try await writer.write(chunk) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
    }
}
