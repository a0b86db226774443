import Foundation
import PackagePlugin

/// Compiles the web console (`console/` at the package's root) into the target it is applied to: at build
/// time, `embed-console` writes every file of it as a Swift string constant, so that the `assistants` binary
/// serves the console wherever it is installed, with no resource bundle to lose and no generated copy
/// checked in. The build reruns it whenever a file of `console/` changes.
@main
struct EmbedConsole: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let console = context.package.directoryURL.appending(path: "console")
        let output = context.pluginWorkDirectoryURL.appending(path: "ConsoleAssets+Files.swift")
        let files = FileManager.default.enumerator(at: console, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true } ?? []
        return [
            .buildCommand(
                displayName: "Embedding the web console (\(files.count) files)",
                executable: try context.tool(named: "embed-console").url,
                arguments: [console.path(percentEncoded: false), output.path(percentEncoded: false)],
                inputFiles: files,
                outputFiles: [output]),
        ]
    }
}
