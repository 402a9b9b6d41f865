import Foundation
import IncentiveStore

/// Uploads kept between the import page's "Preview" and its "Import" (issue 16 point 5): the file as
/// previewed, so that what is imported is exactly what was shown, in a folder of its own under the
/// temporary directory named by a random token. A kept upload belongs to the session that previewed it
/// (the SHA-256 of its CSRF token is kept with it), is taken once, and is removed after an hour.
struct ImportPreviews: Sendable {
    /// Where the kept uploads live.
    let root: String
    /// How long an upload waits for its "Import".
    static let lifetime: TimeInterval = 3600

    init(root: String = (NSTemporaryDirectory() as NSString).appendingPathComponent("incentives-import-previews")) {
        self.root = root
    }

    struct Kept: Sendable {
        var kind: DataKind
        var displayName: String
        var path: String
        var folder: String

        func remove() { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// Moves the uploaded `file` into a new folder of its own; returns the token that names it.
    func keep(file: String, kind: DataKind, displayName: String, csrf: String) throws -> String {
        removeOld()
        let token = Accounts.newSecret(prefix: "")
        let folder = (root as NSString).appendingPathComponent(token)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: file, toPath: (folder as NSString).appendingPathComponent("upload.csv"))
        let meta = [kind.rawValue, Accounts.digest(csrf), displayName].joined(separator: "\n")
        try Data(meta.utf8).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("meta")))
        return token
    }

    /// The upload kept under `token` for the session with `csrf`, moved out of the store (so it is taken
    /// once); nil when there is none (imported already, older than an hour, another session's, or a token
    /// that is not one of ours).
    func take(_ token: String, csrf: String) -> Kept? {
        guard token.count == 64, token.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        let folder = (root as NSString).appendingPathComponent(token)
        guard let meta = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent("meta")) else { return nil }
        let fields = String(decoding: meta, as: UTF8.self).split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 3, let kind = DataKind(rawValue: fields[0]), fields[1] == Accounts.digest(csrf) else { return nil }
        if let created = (try? FileManager.default.attributesOfItem(atPath: folder))?[.modificationDate] as? Date,
            Date().timeIntervalSince(created) > Self.lifetime
        {
            try? FileManager.default.removeItem(atPath: folder)
            return nil
        }
        // Taken: renamed first, so that a second "Import" of the same preview finds nothing.
        let taken = folder + ".taken-\(UUID().uuidString)"
        guard (try? FileManager.default.moveItem(atPath: folder, toPath: taken)) != nil else { return nil }
        return Kept(kind: kind, displayName: fields[2], path: (taken as NSString).appendingPathComponent("upload.csv"), folder: taken)
    }

    /// Removes the kept uploads older than `lifetime`.
    func removeOld() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return }
        for name in names {
            let folder = (root as NSString).appendingPathComponent(name)
            if let modified = (try? FileManager.default.attributesOfItem(atPath: folder))?[.modificationDate] as? Date,
                Date().timeIntervalSince(modified) > Self.lifetime
            {
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
    }
}
