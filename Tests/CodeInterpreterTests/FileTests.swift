import CodeInterpreter
import Foundation
import Testing

@Suite("Files go in and out of /mnt/data")
struct FileTests {
    @Test func uploadedCSVIsReadable() async throws {
        try await withService { service in
            let csv = SandboxFile(name: "data.csv", contents: Data("a,b\n1,2\n3,4\n".utf8))
            let result = try await service.run(
                "import csv, os\nprint(os.getcwd())\nsum(int(r['b']) for r in csv.DictReader(open('data.csv')))",
                in: "a", files: [csv])
            #expect(result.output == "/mnt/data\n6\n")
            #expect(result.files.isEmpty)  // uploads are not reported back
        }
    }

    @Test func filesWrittenByTheCodeComeBack() async throws {
        try await withService { service in
            let result = try await service.run(
                "import os\nos.makedirs('out', exist_ok=True)\nopen('out/r.txt', 'w').write('hello')\nopen('b.bin', 'wb').write(bytes(range(256)))",
                in: "a")
            #expect(result.files.sorted { $0.name < $1.name } == [
                SandboxFile(name: "b.bin", contents: Data(0...255)),
                SandboxFile(name: "out/r.txt", contents: Data("hello".utf8)),
            ])
            #expect(try await service.run("pass", in: "a").files.isEmpty)  // unchanged files are not repeated
        }
    }

    @Test func unchangedUploadsAreNotRewrittenAndChangedOnesAre() async throws {
        try await withService { service in
            let file = SandboxFile(name: "f.txt", contents: Data("original".utf8))
            _ = try await service.run("import os\nstamp = os.stat('f.txt').st_mtime_ns", in: "a", files: [file])
            #expect(try await service.run("os.stat('f.txt').st_mtime_ns == stamp", in: "a", files: [file]).output == "True\n")
            let changed = try await service.run("open('f.txt', 'w').write('edited')", in: "a", files: [file])
            #expect(changed.files == [SandboxFile(name: "f.txt", contents: Data("edited".utf8))])
            #expect(try await service.run("open('f.txt').read()", in: "a", files: [file]).output == "'original'\n")
        }
    }

    @Test func invalidFileNamesAreRefused() async throws {
        try await withService { service in
            for name in ["", "/etc/passwd", "../x", "a/../../x"] {
                await #expect(throws: CodeInterpreterError.invalidFileName(name)) {
                    try await service.run("1", in: "a", files: [SandboxFile(name: name, contents: Data())])
                }
            }
        }
    }

    @Test(.enabled(if: matplotlibInstalled, "matplotlib is not installed for /usr/bin/python3 (apt-get install python3-matplotlib)"))
    func matplotlibFigureComesBackAsPNG() async throws {
        try await withService { service in
            let result = try await service.run(
                "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.title('t')\nplt.show()", in: "a")
            #expect(!result.failed, "\(result.output)")
            #expect(result.images.count == 1)
            #expect(result.images.first?.starts(with: [0x89, 0x50, 0x4E, 0x47]) == true)
            #expect(!result.output.contains("Warning"), "\(result.output)")
            #expect(try await service.run("plt.get_fignums()", in: "a").output == "[]\n")  // figures are closed
        }
    }

    @Test(.enabled(if: matplotlibInstalled, "numpy and pandas come with the same packages"))
    func scientificStackImportsInsideTheSandbox() async throws {
        try await withService { service in
            let result = try await service.run(
                "import numpy as np, pandas as pd\npd.DataFrame({'a': np.arange(3)})['a'].sum()", in: "a")
            #expect(result.output == "3\n" || result.output == "np.int64(3)\n", "\(result.output)")
        }
    }
}
