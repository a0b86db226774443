import AssistantsAPI
import AssistantsStore
import Foundation
import PostgresTestSupport
import Testing

/// Projects, their keys, and the walls between projects, run against each backend: a task of one project
/// finds, lists, changes and deletes only that project's objects; the server's own work sees them all.
@Suite(.closesStores) struct ProjectStoreContractTests {
    @Test(arguments: StoreBackend.allCases)
    func projectsAndKeysAreKeptAndRevoked(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let team = Project(id: ObjectKind.project.newID(), name: "team-a", createdAt: 10)
        try await store.createProject(team)
        await #expect(throws: StoreError.nameTaken(.project, name: "team-a")) {
            try await store.createProject(Project(id: ObjectKind.project.newID(), name: "team-a", createdAt: 11))
        }
        await #expect(throws: StoreError.nameTaken(.project, name: "default")) {
            try await store.createProject(Project(id: ObjectKind.project.newID(), name: "default", createdAt: 11))
        }
        #expect(try await store.projects() == [Project.defaultProject, team])
        #expect(try await store.project(idOrName: team.id) == team)
        #expect(try await store.project(idOrName: "team-a") == team)
        #expect(try await store.project(idOrName: "default") == Project.defaultProject)
        #expect(try await store.project(idOrName: "nobody") == nil)
        #expect(try await store.updateProject(id: team.id) { $0.requestsPerMinute = 5 }?.requestsPerMinute == 5)
        #expect(try await store.project(idOrName: team.id)?.requestsPerMinute == 5)
        #expect(try await store.updateProject(id: "proj_missing") { $0.requestsPerMinute = 5 } == nil)

        let key = APIKeyRecord(id: ObjectKind.apiKey.newID(), projectID: team.id, name: "ci", redactedValue: "sk-proj-abc…wxyz", createdAt: 12)
        let other = APIKeyRecord(id: ObjectKind.apiKey.newID(), projectID: ProjectScope.defaultProjectID, name: "", redactedValue: "r", createdAt: 13)
        try await store.createAPIKey(key, hash: "hash-1")
        try await store.createAPIKey(other, hash: "hash-2")
        await #expect(throws: StoreError.notFound(.project, id: "proj_missing")) {
            try await store.createAPIKey(
                APIKeyRecord(id: ObjectKind.apiKey.newID(), projectID: "proj_missing", name: "", redactedValue: "r", createdAt: 14), hash: "hash-3")
        }
        #expect(try await store.apiKey(hash: "hash-1") == key)
        #expect(try await store.apiKey(hash: "hash-3") == nil)
        #expect(try await store.apiKeys(projectID: nil) == [key, other])
        #expect(try await store.apiKeys(projectID: team.id) == [key])

        #expect(try await store.revokeAPIKey(id: key.id))
        #expect(try await !store.revokeAPIKey(id: key.id))
        #expect(try await store.apiKey(hash: "hash-1") == nil)
        #expect(try await store.apiKeys(projectID: nil) == [other])
    }

    @Test(arguments: StoreBackend.allCases)
    func aProjectSeesOnlyItsOwnObjects(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (a, b) = ("proj_a", "proj_b")
        let assistant = Assistant(id: ObjectKind.assistant.newID(), createdAt: 1, name: "A's", model: "gpt-4o")
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        let file = FileObject(id: ObjectKind.file.newID(), bytes: 1, createdAt: 1, filename: "a.txt", purpose: "assistants")
        let vectorStore = VectorStore(id: ObjectKind.vectorStore.newID(), createdAt: 1, lastActiveAt: 1)
        let container = Container(id: ObjectKind.container.newID(), createdAt: 1, name: "c", expiresAfter: .init(minutes: 20))
        try await ProjectScope.$current.withValue(a) { () async throws -> Void in
            try await store.createAssistant(assistant)
            try await store.createThread(thread, messages: [])
            try await store.createFile(file)
            try await store.createVectorStore(vectorStore, files: [])
            try await store.createContainer(container, files: [])
        }
        let theirs = Assistant(id: ObjectKind.assistant.newID(), createdAt: 2, name: "B's", model: "gpt-4o")
        try await ProjectScope.$current.withValue(b) { try await store.createAssistant(theirs) }

        try await ProjectScope.$current.withValue(b) { () async throws -> Void in
            #expect(try await store.assistant(id: assistant.id) == nil)
            #expect(try await store.listAssistants(ListQuery(limit: 10)).data.map(\.id) == [theirs.id])
            #expect(try await store.updateAssistant(id: assistant.id) { $0.name = "taken" } == nil)
            #expect(try await !store.deleteAssistant(id: assistant.id))
            // Another project's object is no cursor of this project's list.
            await #expect(throws: StoreError.unknownCursor(param: "after", id: assistant.id)) {
                try await store.listAssistants(ListQuery(limit: 10, after: assistant.id))
            }
            #expect(try await store.thread(id: thread.id) == nil)
            #expect(try await store.listThreads(ListQuery(limit: 10)).data.isEmpty)
            #expect(try await !store.deleteThread(id: thread.id))
            #expect(try await store.file(id: file.id) == nil)
            #expect(try await store.missingFiles(among: [file.id]) == [file.id])
            #expect(try await store.listFiles(purpose: nil, ListQuery(limit: 10)).data.isEmpty)
            #expect(try await store.vectorStore(id: vectorStore.id) == nil)
            #expect(try await store.listVectorStores(ListQuery(limit: 10)).data.isEmpty)
            #expect(try await store.container(id: container.id) == nil)
            #expect(try await store.deleteContainer(id: container.id) == nil)
            // A message cannot be added to another project's thread.
            await #expect(throws: StoreError.notFound(.thread, id: thread.id)) {
                try await store.appendMessage(Message(id: ObjectKind.message.newID(), createdAt: 3, threadID: thread.id, role: .user, content: []))
            }
        }
        try await ProjectScope.$current.withValue(a) { () async throws -> Void in
            #expect(try await store.assistant(id: assistant.id)?.name == "A's")
            #expect(try await store.listAssistants(ListQuery(limit: 10)).data.map(\.id) == [assistant.id])
            #expect(try await store.missingFiles(among: [file.id]).isEmpty)
            #expect(try await store.updateAssistant(id: assistant.id) { $0.name = "Still A's" }?.name == "Still A's")
        }
        // The server's own work sees every project.
        #expect(try await store.listAssistants(ListQuery(limit: 10)).data.map(\.id) == [theirs.id, assistant.id])
        #expect(try await store.assistant(id: assistant.id) != nil)

        for (kind, id) in [
            (ObjectKind.assistant, assistant.id), (.thread, thread.id), (.conversation, thread.id), (.file, file.id),
            (.vectorStore, vectorStore.id), (.container, container.id),
        ] {
            #expect(try await store.project(of: kind, id: id) == a, "\(kind)")
        }
        #expect(try await store.project(of: .assistant, id: theirs.id) == b)
        #expect(try await store.project(of: .thread, id: "thread_missing") == nil)
        _ = try await ProjectScope.$current.withValue(a) { try await store.deleteAssistant(id: assistant.id) }
        #expect(try await store.project(of: .assistant, id: assistant.id) == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func aProjectsActiveRunsStayWithinItsLimitHoweverManyStartAtOnce(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let team = Project(id: ObjectKind.project.newID(), name: "limited", createdAt: 1)
        try await store.createProject(team)
        _ = try await store.updateProject(id: team.id) { $0.maxActiveRuns = 3 }
        func run(on threadID: String, project: String? = team.id) -> Run {
            var run = Run(id: ObjectKind.run.newID(), createdAt: 1, threadID: threadID, assistantID: "asst_1", status: .queued, model: "m", instructions: "")
            run.project = project
            return run
        }
        var threads: [String] = []
        for _ in 0..<8 {
            let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
            try await store.createThread(thread, messages: [])
            threads.append(thread.id)
        }
        // Eight runs of the project start at once, on eight threads: three are stored, five refused.
        let outcomes = try await withThrowingTaskGroup(of: Run?.self) { group in
            for threadID in threads {
                group.addTask {
                    let candidate = run(on: threadID)
                    do {
                        try await store.createRun(candidate, additionalMessages: [], attaching: nil)
                        return candidate
                    } catch StoreError.tooManyActiveRuns(let limit) {
                        #expect(limit == 3)
                        return nil
                    }
                }
            }
            return try await group.reduce(into: [Run?]()) { $0.append($1) }
        }
        let stored = outcomes.compactMap { $0 }
        #expect(stored.count == 3)
        // Another project's runs, and the default project's, do not count.
        let other = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThreadAndRun(other, messages: [], run: run(on: other.id, project: ProjectScope.defaultProjectID), attaching: nil)
        // A run that ends frees its place.
        _ = try await store.updateRun(id: stored[0].id, threadID: stored[0].threadID) { $0.status = .completed }
        let free = try #require(threads.first { id in !stored.contains { $0.threadID == id } })
        try await store.createRun(run(on: free), additionalMessages: [], attaching: nil)
        await #expect(throws: StoreError.tooManyActiveRuns(limit: 3)) {
            let spare = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
            try await store.createThreadAndRun(spare, messages: [], run: run(on: spare.id), attaching: nil)
        }
        // The server's limit holds for projects without their own: the default one has a run already.
        store.setDefaultLimits(ProjectLimits(maxActiveRuns: 1))
        await #expect(throws: StoreError.tooManyActiveRuns(limit: 1)) {
            let spare = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
            try await store.createThreadAndRun(spare, messages: [], run: run(on: spare.id, project: ProjectScope.defaultProjectID), attaching: nil)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aProjectsFilesStayWithinItsQuotas(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let team = Project(id: ObjectKind.project.newID(), name: "quota", createdAt: 1)
        try await store.createProject(team)
        _ = try await store.updateProject(id: team.id) { $0.storageBytes = 100; $0.uploadBytesPerDay = 150 }
        func file(_ bytes: Int, day: Int = 20_000) -> FileObject {
            FileObject(id: ObjectKind.file.newID(), bytes: bytes, createdAt: day * 86_400 + 5, filename: "f", purpose: "assistants")
        }
        let first = file(60)
        try await ProjectScope.$current.withValue(team.id) { () async throws -> Void in
            try await store.createFile(first)
            // 60 + 50 > 100: the storage quota.
            await #expect(throws: StoreError.quotaExceeded(.storage, limit: 100, used: 60)) { try await store.createFile(file(50)) }
            try await store.createFile(file(40))
            // Deleting frees storage, not the day's uploads: 60 + 40 + 60 > 150.
            _ = try await store.deleteFile(id: first.id)
            await #expect(throws: StoreError.quotaExceeded(.uploads, limit: 150, used: 100)) { try await store.createFile(file(60)) }
            try await store.createFile(file(50))
            // A new day starts the uploads again.
            try await store.createFile(file(10, day: 20_001))
        }
        // Other projects, and the default one, are not held to it, but to the server's quotas.
        try await store.createFile(file(1_000))
        store.setDefaultLimits(ProjectLimits(storageBytes: 1_500))
        await #expect(throws: StoreError.quotaExceeded(.storage, limit: 1_500, used: 1_000)) { try await store.createFile(file(600)) }
        // The project's own quota stands: it is full.
        await #expect(throws: StoreError.quotaExceeded(.storage, limit: 100, used: 100)) {
            try await ProjectScope.$current.withValue(team.id) { try await store.createFile(file(5, day: 20_001)) }
        }
        #expect(try await ProjectScope.$current.withValue(team.id) { try await store.listFiles(purpose: nil, ListQuery(limit: 10)).data.count } == 3)
    }
}
