import IncentiveEngine
import IncentiveSheets

extension Workspace {
    /// An import of spreadsheet files (issue 18), for the command line and the server alike: a standard CSV file
    /// or folder is imported exactly as by `importFile`/`importFolder`; Excel's CSV dialects and .xlsx sheets are
    /// converted first, and every message names the user's file (`displayName`, or the path). `notes` hears how
    /// each converted file was read, before the import.
    public func importSpreadsheets(
        kind: DataKind?, file: String?, displayName: String? = nil, dir: String?, read: ReadOptions, mode: ImportMode, remedies: Remedies,
        progress: ImportProgress? = nil, by actor: Actor = .operatingSystemUser(), notes: ([String]) -> Void = { _ in }
    ) throws(DiagnosticReport) -> ImportOutcome {
        let found: [(fileName: String, path: String, displayName: String)]
        if let dir {
            found = try ReadFolder.datasetFiles(in: dir).map { ($0.fileName, $0.path, $0.path) }
        } else if let kind, let file {
            found = [(kind.fileName, file, displayName ?? file)]
        } else {
            throw DiagnosticReport(Diagnostic(file: path, line: nil, message: "an import names a file and its kind, or a folder"))
        }
        let prepared = try ReadFolder.prepare(files: found, options: read)
        defer { prepared.remove() }
        guard prepared.converted else {
            if let dir { return try importFolder(dir, mode: mode, remedies: remedies, progress: progress, by: actor) }
            return try importFile(kind!, path: file!, displayName: displayName, mode: mode, remedies: remedies, progress: progress, by: actor)
        }
        notes(prepared.notes)
        var files: [(DataKind, String, String)] = []
        var originals: [String: String] = [:]
        for file in prepared.files {
            guard let kind = kind ?? DataKind.allCases.first(where: { $0.fileName == file.fileName }) else { continue }
            files.append((kind, file.path, file.displayName))
            originals[file.path] = file.original
        }
        var outcome: ImportOutcome
        do {
            outcome = try importFiles(files, mode: mode, remedies: remedies, progress: progress, by: actor, originals: originals)
        } catch {
            throw prepared.relocate(error)
        }
        outcome.warnings = prepared.relocate(outcome.warnings)
        if let dir { ReadFolder.warnUnreadFiles(in: dir, collector: &outcome.warnings) }
        return outcome
    }
}
