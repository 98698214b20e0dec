import Foundation
import Testing
@testable import MailScopeKit

/// Name-based UUIDs: the same as every other version 5 implementation, so ids can be checked
/// (and recomputed) outside MailScope.
@Suite struct StableUUIDTests {
    @Test func matchesRFC9562VersionFiveOfPythonsUUIDModule() {
        // python3 -c 'import uuid; print(uuid.uuid5(uuid.NAMESPACE_DNS, "python.org"))'
        #expect(StableUUID.v5("python.org", namespace: UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!) == "886313e1-3b8a-5372-9b90-0c9aee199e5d")
        // python3 -c 'import uuid; print(uuid.uuid5(uuid.UUID("6d61696c-7363-4f70-a500-6578706f7274"), "indicator|x"))'
        #expect(StableUUID.v5("indicator|x") == "9f611889-00e1-5b0f-b7c0-587bcbe71a59")
    }

    @Test func differentContentGivesDifferentIds() {
        #expect(StableUUID.v5("report|a") != StableUUID.v5("report|b"))
        #expect(StableUUID.v5("report|a") == StableUUID.v5("report|a"))
    }
}
