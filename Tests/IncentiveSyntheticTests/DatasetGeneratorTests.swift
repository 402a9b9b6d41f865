import Foundation
import IncentiveEngine
import IncentiveSynthetic
import Testing

/// The generator writes the same files for the same seed, and a dataset the engine loads without an
/// error, with exactly the partners and booking lines asked for.
@Suite struct DatasetGeneratorTests {
    @Test func theSameSeedWritesTheSameFilesWhichTheEngineLoads() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("generator-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        func folder(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }
        func contents(_ folderName: String, _ file: String) -> Data? {
            let data = (folder(folderName) as NSString).appendingPathComponent("data")
            return FileManager.default.contents(atPath: (data as NSString).appendingPathComponent(file))
        }
        try DatasetGenerator(partners: 50, lines: 2_000, seed: 7).write(to: folder("a"))
        try DatasetGenerator(partners: 50, lines: 2_000, seed: 7).write(to: folder("b"))
        try DatasetGenerator(partners: 50, lines: 2_000, seed: 8).write(to: folder("c"))
        for file in DatasetLoader.fileNames {
            let first = try #require(contents("a", file), "\(file) was not written")
            #expect(first == contents("b", file), "\(file) differs for the same seed")
        }
        #expect(contents("a", "bookings.csv") != contents("c", "bookings.csv"))

        let loaded = try Engine.load(
            dataDirectory: (folder("a") as NSString).appendingPathComponent("data"),
            programsDirectory: (folder("a") as NSString).appendingPathComponent("programs"))
        #expect(loaded.totals.lineCount == 2_000)
        #expect(loaded.dataset.partners.count == 50)
        #expect(loaded.programs.map(\.id) == ["GEN-MDF", "GEN-VIP-3M", "GEN-VIP-6M"])
    }
}
