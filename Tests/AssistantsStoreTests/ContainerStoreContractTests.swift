import AssistantsAPI
import AssistantsStore
import Foundation
import PostgresTestSupport
import Testing

/// Containers and their files, run against each backend: lists and cursors, a file replacing the one at
/// its path, activity pushing expiry back, expiry ending each container once, deletion.
@Suite(.closesStores) struct ContainerStoreContractTests {
    func container(_ store: any AssistantsStore, name: String = "c", minutes: Int = 20, at time: Int = 1000, files paths: [String] = []) async throws
        -> (Container, [ContainerFile])
    {
        let container = Container(id: ObjectKind.container.newID(), createdAt: time, name: name, expiresAfter: .init(minutes: minutes))
        let files = paths.map { file(in: container.id, path: $0, at: time) }
        try await store.createContainer(container, files: files)
        return (container, files)
    }

    func file(in containerID: String, path: String, at time: Int = 1000) -> ContainerFile {
        ContainerFile(id: ObjectKind.containerFile.newID(), containerID: containerID, createdAt: time, bytes: 3, path: path, source: "user")
    }

    @Test(arguments: StoreBackend.allCases)
    func containersAndTheirFilesAreListedAndDeleted(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (first, files) = try await container(store, name: "one", files: ["/mnt/data/a.txt", "/mnt/data/b.txt", "/mnt/data/c.txt"])
        let (second, _) = try await container(store, name: "two")
        let (third, _) = try await container(store, name: "one")
        #expect(try await store.container(id: first.id) == first)
        #expect(try await store.listContainers(name: nil, ListQuery(limit: 10)).data.map(\.id) == [third.id, second.id, first.id])
        #expect(try await store.listContainers(name: "one", ListQuery(limit: 10, order: .asc)).data.map(\.id) == [first.id, third.id])
        let page = try await store.listContainers(name: nil, ListQuery(limit: 1, order: .asc, after: first.id))
        #expect(page.data.map(\.id) == [second.id] && page.hasMore)

        let filePage = try await store.listContainerFiles(containerID: first.id, ListQuery(limit: 2, order: .asc))
        #expect(filePage.data == Array(files.prefix(2)) && filePage.hasMore)
        #expect(try await store.listContainerFiles(containerID: first.id, ListQuery(limit: 2, order: .asc, after: files[1].id)).data == [files[2]])
        await #expect(throws: StoreError.unknownCursor(param: "after", id: files[0].id)) {
            try await store.listContainerFiles(containerID: second.id, ListQuery(limit: 2, after: files[0].id))
        }
        #expect(try await store.containerFile(id: files[0].id, containerID: first.id) == files[0])
        #expect(try await store.containerFile(id: files[0].id, containerID: second.id) == nil)

        #expect(try await store.deleteContainerFile(id: files[0].id, containerID: first.id))
        #expect(try await !store.deleteContainerFile(id: files[0].id, containerID: first.id))
        #expect(try await store.containerFile(id: files[0].id, containerID: first.id) == nil)
        // A deleted file stays a cursor of its list.
        #expect(try await store.listContainerFiles(containerID: first.id, ListQuery(limit: 5, order: .asc, after: files[0].id)).data == [files[1], files[2]])

        #expect(try await store.deleteContainer(id: first.id) == [files[1], files[2]])
        #expect(try await store.deleteContainer(id: first.id) == nil)
        #expect(try await store.container(id: first.id) == nil)
        #expect(try await store.containerFile(id: files[1].id, containerID: first.id) == nil)
        #expect(try await store.listContainerFiles(containerID: first.id, ListQuery(limit: 5)).data.isEmpty)
        #expect(try await store.listContainers(name: nil, ListQuery(limit: 5, order: .asc, after: first.id)).data.map(\.id) == [second.id, third.id])
        await #expect(throws: StoreError.notFound(.container, id: first.id)) {
            try await store.putContainerFile(file(in: first.id, path: "/mnt/data/x"))
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aFileReplacesTheOneAtItsPathAndMarksTheContainerActive(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (container, files) = try await container(store, files: ["/mnt/data/a.txt"])
        let newer = file(in: container.id, path: "/mnt/data/a.txt", at: 1100)
        #expect(try await store.putContainerFile(newer) == files[0])
        #expect(try await store.containerFile(id: files[0].id, containerID: container.id) == nil)
        let other = file(in: container.id, path: "/mnt/data/b.txt", at: 1200)
        #expect(try await store.putContainerFile(other) == nil)
        #expect(try await store.listContainerFiles(containerID: container.id, ListQuery(limit: 5, order: .asc)).data == [newer, other])
        #expect(try await store.container(id: container.id)?.lastActiveAt == 1200)

        #expect(try await store.touchContainer(id: container.id, now: 1300)?.lastActiveAt == 1300)
        // Activity never moves backwards.
        #expect(try await store.touchContainer(id: container.id, now: 1250)?.lastActiveAt == 1300)
        #expect(try await store.touchContainer(id: ObjectKind.container.newID(), now: 1300) == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func idleContainersExpireOnceAndLoseTheirFiles(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (idle, idleFiles) = try await container(store, minutes: 1, at: 1000, files: ["/mnt/data/a", "/mnt/data/b"])
        let (used, _) = try await container(store, minutes: 1, at: 1000, files: ["/mnt/data/a"])
        let (long, _) = try await container(store, minutes: 20, at: 1000)
        _ = try await store.touchContainer(id: used.id, now: 1050)
        #expect(try await store.expireContainers(now: 1059).containers.isEmpty)

        // Nodes sweeping at once: each container expires on one of them.
        let results = try await withThrowingTaskGroup(of: (containers: [String], files: [ContainerFile]).self) { group in
            for _ in 0..<3 { group.addTask { try await store.expireContainers(now: 1060) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.flatMap(\.containers) == [idle.id])
        #expect(Set(results.flatMap(\.files).map(\.id)) == Set(idleFiles.map(\.id)) && results.flatMap(\.files).count == 2)

        let expired = try #require(try await store.container(id: idle.id))
        #expect(expired.status == .expired && expired.lastActiveAt == 1000)
        #expect(try await store.listContainerFiles(containerID: idle.id, ListQuery(limit: 5)).data.isEmpty)
        // Expiry is final: activity does not revive it, and nothing more goes in.
        #expect(try await store.touchContainer(id: idle.id, now: 2000) == expired)
        await #expect(throws: StoreError.containerExpired(id: idle.id)) {
            try await store.putContainerFile(file(in: idle.id, path: "/mnt/data/x"))
        }
        #expect(try await store.expireContainers(now: 1110).containers == [used.id])
        #expect(try await store.container(id: long.id)?.status == .running)
        #expect(try await store.expireContainers(now: 1000 + 20 * 60).containers == [long.id])
        #expect(try await store.deleteContainer(id: idle.id) == [])
    }
}
