import Foundation
import Testing
@testable import MailScopeKit

/// Which endpoint rows an incident's host story keeps: the linked rows, the processes they
/// started or that opened a linked file, and what those did — not the rest of a busy host.
@Suite struct HostActivityTests {
    static func event(_ id: Int64, _ action: String, process: String? = nil, pid: String? = nil, parent: String? = nil, ppid: String? = nil,
                      commandLine: String? = nil, file: String? = nil) -> HostActivity.Event {
        HostActivity.Event(id: id, ts: Timestamp(id * 1000), action: action, process: process, processID: pid, commandLine: commandLine,
                           parentProcess: parent, parentProcessID: ppid, file: file, sha256: nil, remote: nil, account: nil,
                           linked: false, via: nil, evidence: "edr.csv:\(id)")
    }

    @Test func theChainFollowsProcessIdsFromTheLinkedRows() {
        let window = [
            Self.event(1, "file_created", process: "OUTLOOK.EXE", pid: "100", file: "C:\\Users\\a\\INV-1.xlsm"),
            Self.event(2, "process_start", process: "EXCEL.EXE", pid: "200", parent: "OUTLOOK.EXE", ppid: "100",
                       commandLine: "EXCEL.EXE \"C:\\Users\\a\\INV-1.xlsm\""),
            Self.event(3, "process_start", process: "powershell.exe", pid: "300", parent: "EXCEL.EXE", ppid: "200", commandLine: "powershell -enc AAA"),
            Self.event(4, "network_connect", process: "powershell.exe", pid: "300"),
            Self.event(5, "process_start", process: "notepad.exe", pid: "400", parent: "explorer.exe", ppid: "50"),
            Self.event(6, "network_connect", process: "chrome.exe", pid: "500"),
        ]
        let story = HostActivity.chain(window, linked: [1])
        #expect(story.map(\.id) == [1, 2, 3, 4], "the unrelated notepad and chrome rows stay out")
        #expect(story.map(\.via) == ["evidence", "process id", "process id", "process id"])
        #expect(story.first?.linked == true && story.dropFirst().allSatisfy { !$0.linked })
    }

    @Test func aProcessThatOpensALinkedFileJoinsTheChainEvenFromAnotherParent() {
        let window = [
            Self.event(1, "file_created", process: "chrome.exe", pid: "10", file: "C:\\Users\\a\\Downloads\\setup.exe"),
            Self.event(2, "process_start", process: "setup.exe", pid: "20", parent: "explorer.exe", ppid: "5",
                       commandLine: "\"C:\\Users\\a\\Downloads\\setup.exe\" /quiet"),
            Self.event(3, "dns_query", process: "setup.exe", pid: "20"),
        ]
        let story = HostActivity.chain(window, linked: [1])
        #expect(story.map(\.id) == [1, 2, 3])
        #expect(story[1].via == "opened a linked file")
    }

    @Test func withoutProcessIdsTheChainGoesByNameAndSaysSo() {
        let window = [
            Self.event(1, "process_start", process: "wscript.exe", commandLine: "wscript invoice.js"),
            Self.event(2, "network_connect", process: "wscript.exe"),
            Self.event(3, "network_connect", process: "svchost.exe"),
        ]
        let story = HostActivity.chain(window, linked: [1])
        #expect(story.map(\.id) == [1, 2])
        #expect(story.last?.via == "by name")
    }
}
