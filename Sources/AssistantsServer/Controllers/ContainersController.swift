import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import Hummingbird

/// `/containers` and their files. A file is added either as a multipart upload (`file`) or, with a JSON
/// body, as a copy of a stored file (`file_id`), as OpenAI's API takes both.
struct ContainersController<Context: RequestContext> {
    let engine: RunEngine
    let blobs: any BlobStore
    private var containers: Containers { engine.containers }

    func addRoutes(to group: RouterGroup<Context>) {
        group
            .post(use: create)
            .get(use: list)
            .get(":container_id", use: retrieve)
            .delete(":container_id", use: delete)
            .post(":container_id/files", use: createFile)
            .get(":container_id/files", use: listFiles)
            .get(":container_id/files/:file_id", use: retrieveFile)
            .delete(":container_id/files/:file_id", use: deleteFile)
            .get(":container_id/files/:file_id/content", use: content)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        .json(try await containers.create(try await request.decodeJSON(CreateContainerRequest.self)))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        .json(try await containers.list(name: request.query("name"), try request.listQuery()))
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        .json(try await containers.retrieve(try containerID(context)))
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let id = try containerID(context)
        guard try await engine.deleteContainer(id: id) else { throw APIError.notFound(.container, id: id) }
        return .json(DeletionStatus(id: id, object: "container.deleted"))
    }

    @Sendable func createFile(_ request: Request, context: Context) async throws -> Response {
        let id = try containerID(context)
        guard MultipartUpload.boundary(of: request.headers[.contentType]) != nil else {
            let body = try await request.decodeJSON(CreateContainerFileRequest.self)
            return .json(try await containers.addStoredFile(body.fileID, containerID: id))
        }
        let upload = try await MultipartUpload.read(request, into: blobs, maxFileSize: FileLimits.maxBytes)
        if let file = upload.file {
            return .json(try await containers.addUpload(file.staged, filename: file.filename, bytes: file.bytes, containerID: id))
        }
        guard let fileID = upload.fields["file_id"] else { throw APIError.missingParameter("file") }
        return .json(try await containers.addStoredFile(fileID, containerID: id))
    }

    @Sendable func listFiles(_ request: Request, context: Context) async throws -> Response {
        .json(try await containers.listFiles(containerID: try containerID(context), try request.listQuery()))
    }

    @Sendable func retrieveFile(_ request: Request, context: Context) async throws -> Response {
        let (id, fileID) = try ids(context)
        return .json(try await containers.file(fileID, containerID: id))
    }

    /// Answers as OpenAI's API does, with the deleted file's id.
    @Sendable func deleteFile(_ request: Request, context: Context) async throws -> Response {
        let (id, fileID) = try ids(context)
        try await containers.deleteFile(fileID, containerID: id)
        return .json(DeletionStatus(id: fileID, object: "container.file.deleted"))
    }

    @Sendable func content(_ request: Request, context: Context) async throws -> Response {
        let (id, fileID) = try ids(context)
        return .contents(try await containers.content(fileID, containerID: id))
    }

    private func containerID(_ context: Context) throws -> String {
        try context.parameters.id("container_id", of: .container)
    }

    private func ids(_ context: Context) throws -> (container: String, file: String) {
        (try containerID(context), try context.parameters.id("file_id", of: .containerFile))
    }
}
