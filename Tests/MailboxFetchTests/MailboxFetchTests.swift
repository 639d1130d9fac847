import NetworkClient
import Testing

@testable import MailboxFetch

@Suite struct MailboxURLTests {
    @Test func aMailboxURLGivesServerUserAndFolder() throws {
        let tls = try MailboxAccount(url: "imaps://dmarc%40example.com@imap.example.com/Reports/DMARC")
        #expect(tls.implicitTLS && tls.port == 993 && tls.host == "imap.example.com")
        #expect(tls.user == "dmarc@example.com")
        #expect(tls.folder == "Reports/DMARC")
        let plain = try MailboxAccount(url: "imap://rua@[2001:db8::1]:1143")
        #expect(!plain.implicitTLS && plain.port == 1143 && plain.host == "2001:db8::1" && plain.folder == "INBOX")
        #expect(plain.server == "imap://[2001:db8::1]:1143")
        for bad in [
            "https://a@b/", "imaps://imap.example.com/INBOX", "imaps://u:secret@host/", "imaps://u@host:0/",
            "imaps://u@/",
        ] {
            #expect(throws: NetworkError.self, "\(bad)") { try MailboxAccount(url: bad) }
        }
    }

    @Test func folderNamesAreModifiedUTF7() {
        #expect(ModifiedUTF7.encode("Übersicht") == "&ANw-bersicht")
        #expect(ModifiedUTF7.encode("A&B") == "A&-B")
        #expect(ModifiedUTF7.encode("日本語") == "&ZeVnLIqe-")
        #expect(ModifiedUTF7.encode("Archive") == "Archive")
    }

    @Test func uidSetsAreCompact() {
        #expect(IMAPSession.set([9, 4, 7, 8, 12]) == "4,7:9,12")
        #expect(IMAPSession.set([1]) == "1")
    }

    @Test func quotedStringsRefuseWhatTheyCannotCarry() {
        #expect(IMAPSession.quoted("a\"b\\c") == "\"a\\\"b\\\\c\"")
        #expect(IMAPSession.quoted("line\r\nbreak") == nil)
        #expect(IMAPSession.quoted("pässword") == nil)
    }
}
