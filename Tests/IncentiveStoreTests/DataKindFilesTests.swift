import IncentiveEngine
import IncentiveStore
import Testing

/// The workspace imports exactly the files a data folder holds for the engine: a file only one of them knew would be
/// imported but warned of as read by no command (`DatasetLoader.warnUnreadFiles`), or the other way round.
@Suite struct DataKindFilesTests {
    @Test func theWorkspaceKindsAreTheDataFoldersFiles() {
        #expect(Set(DataKind.allCases.map(\.fileName)) == Set(DatasetLoader.fileNames))
    }
}
