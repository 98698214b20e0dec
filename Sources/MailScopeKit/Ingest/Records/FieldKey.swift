/// Every field name MailScope reads from a Mimecast record, spelled exactly as in the exports
/// (case matters: legacy SIEM says `Subject`, API 2.0 says `subject`). Fields not listed here
/// are still kept: they go to the row's `extra` JSON column.
public enum FieldKey: String, CaseIterable, Sendable {
    // API 2.0 SIEM batch events
    case accountId, aggregateId, processingId, timestamp, type, eventType, subtype, subType
    case offset = "_offset", partition = "_partition"
    case action, direction, messageId, numberAttachments, recipients, rejectionCode, rejectionInfo
    case rejectionType, receiptErrors, senderEnvelope, senderHeader, senderIp, spamDetectionLevel
    case spamInfo, spamProcessingDetail, spamScore, subject, tlsCipher, tlsVersion, virusFound
    case holdReason, attachments, totalSizeAttachments, emailSize
    case Hostname, delivered, deliveryAttempts, deliveryErrors, deliveryTime, destinationIp, route, tlsUsed
    case senderDomain, taggedExternal, taggedMalicious
    case fileName, fileExtension, md5, sha1, sha256, senderDomainInternal
    case monitoredDomainSource, scanResults, similarDomain, urlCategory
    case policyDefinition, itemsDetected, internalUserName, newDomain, replyMismatch
    case similarInternalDomain, similarCustomExternalDomain, similarMimecastExternalDomain
    case customNameMatch, customThreatDictionary, mimecastThreatDictionary
    case blockReason, url, sourceIp, analysis, recipient, sizeAttachment, fileMime
    // Legacy SIEM (API 1.0), JSON and key=value
    case acc, datetime, aCode, Act, Dir, IP, MsgId, Subject, headerFrom, Sender, Rcpt
    case SpamInfo, SpamLimit, SpamScore, SpamProcessingDetail, TlsVer, Cphr, Virus, Error
    case RejType, RejCode, RejInfo, Hld, AttCnt, AttNames, AttSize, MsgSize
    case IPInternalName, IPNewDomain, IPReplyMismatch, IPSimilarDomain, IPThreadDict
    case Delivered, Attempt, Latency, Snt, ReceiptAck, Route, UseTls, Err, RcptActType, RcptHdrType
    case fileExt, Size, SenderDomain, SenderDomainInternal, Recipient, CustomerIP, MimecastIP
    case SourceIP, ScanResultInfo, URL, UrlCategory, Action, Definition, Hits, InternalName
    case NewDomain, ReplyMismatch, SimilarInternalDomain, SimilarCustomExternalDomain
    case SimilarMimecastExternalDomain, CustomName, CustomThreatDictionary, ThreatDictionary
    case TaggedExternal, TaggedMalicious, reason, sender, msgid, credentialTheft
    case contentDisposition = "Content-Disposition"
    // TTP URL / Attachment / Impersonation logs
    case userEmailAddress, fromUserEmailAddress, ttpDefinition, actions, adminOverride, userOverride
    case scanResult, category, sendingIp, userAwarenessAction, date, creationMethod
    case emailPartsDescription, tagMap, advancedPhishingResult, mimecastEventId, mimecastEventCategory
    case senderAddress, recipientAddress, fileType, result, actionTriggered, details, fileHash, definition
    case id, hits, identifiers, senderIpAddress, eventTime, impersonationResults
    // STIX threat-intel objects
    case created, modified, name, labels, pattern, validFrom = "valid_from"
    case relationshipType = "relationship_type", sourceRef = "source_ref", targetRef = "target_ref"
    case specVersion = "spec_version", objects
    // Message tracking
    case info, status, fromEnv, fromHdr, to, received, sent, senderIP, detectionLevel, emailAddress, displayableName
    // Inside spamProcessingDetail
    case spf, dkim, dmarc, allow
    // Audit, DLP, archive search/view and Awareness Training exports (mimecast-more.md)
    case auditType, eventInfo, user, source, policy, createTime, emailAddr, searchText, searchReason, description
    case searchPath, isAdmin, museQuery, viewer, viewed, from, messageDate, contentViewed, discoveryCase
    case department, userState, risk, humanError, sentiment, engagement, knowledge, email, watchlistCount, userId
    case timeGenerated = "TimeGenerated [UTC]"
    // Inside impersonationResults
    case impersonationDomainSource, stringSimilarToDomain, checkerResult
    // Held-message release logs (`heldReleaseLogs[]`) and their spamProcessingDetail verdict
    case released, `operator`, heldReason, heldGroup, rejectReason, messageInfo, size
    case spamVerdict, verdict, decision, categories
    // Cloud Integrated (`/siem/v1/batch/events/ci`)
    case policiesApplied, threatState, threatType, tags, authResults, originalUrl, redirectUrl
}

/// Looks up a field name given as raw bytes without building a String (the ingest hot path).
struct FieldKeyTable: Sendable {
    private let slots: [Int16]          // open addressing: index into `keys`, or -1
    private let keys: [[UInt8]]
    private let mask: Int

    static let shared = FieldKeyTable()

    private init() {
        let all = FieldKey.allCases
        var capacity = 1
        while capacity < all.count * 4 { capacity <<= 1 }
        var slots = [Int16](repeating: -1, count: capacity)
        var keys: [[UInt8]] = []
        for (i, key) in all.enumerated() {
            let bytes = Array(key.rawValue.utf8)
            keys.append(bytes)
            var slot = bytes.withUnsafeBufferPointer { Int(truncatingIfNeeded: FieldKeyTable.hash($0)) } & (capacity - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (capacity - 1) }
            slots[slot] = Int16(i)
        }
        self.slots = slots
        self.keys = keys
        self.mask = capacity - 1
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// The key's index in `FieldKey.allCases`, or -1 when it is not a known field.
    func index(of bytes: UnsafeBufferPointer<UInt8>) -> Int16 {
        var slot = Int(truncatingIfNeeded: FieldKeyTable.hash(bytes)) & mask
        while true {
            let candidate = slots[slot]
            if candidate < 0 { return -1 }
            let key = keys[Int(candidate)]
            if key.count == bytes.count && key.withUnsafeBufferPointer({ k in
                memcmp(k.baseAddress!, bytes.baseAddress!, bytes.count) == 0
            }) {
                return candidate
            }
            slot = (slot + 1) & mask
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
