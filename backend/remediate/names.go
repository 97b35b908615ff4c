package remediate

// Every action a front end can ask for has a name here. The names appear
// in audit records, in role checks and in `act` commands; screens use the
// constants, never a string they build, so a typo cannot create an action
// that no role check knows.
const (
	// BlockSender and UnblockSender are the mailbox's b (block.Plan on
	// the configured gateways) and its undo.
	BlockSender   Action = "block-sender"
	UnblockSender Action = "unblock-sender"

	// Export writes a message's analysis, indicators or bytes to a file;
	// SaveAttachment and SaveMessage are the message screen's s.
	Export         Action = "export"
	SaveAttachment Action = "save-attachment"
	SaveMessage    Action = "save-message"

	// Verdict records an analyst's verdict on a case of reports (a
	// keyword on every report, optionally a move); FeedbackSend is one
	// reply to a reporter about that verdict.
	Verdict      Action = "verdict"
	FeedbackSend Action = "feedback-send"
	// Send sends a message the analyst composed (To, Cc, Bcc, body,
	// attachments) over SMTP or Graph sendMail.
	Send Action = "send"
	// PurgeSoft, PurgeJunk and PurgeHard take every copy of a message
	// out of the mailboxes that hold it (package purge): to Recoverable
	// Items, to Junk Email, or deleted for good; PurgeUndo moves soft-
	// and junk-purged copies back. Responders may purge soft and junk;
	// only admins purge hard.
	PurgeSoft Action = "purge-soft"
	PurgeJunk Action = "purge-junk"
	PurgeHard Action = "purge-hard"
	PurgeUndo Action = "purge-undo"

	// CalendarCreate creates an event (Graph accounts).
	CalendarCreate Action = "calendar-create-event"

	// Mimecast changes.
	MimecastBlockSender       Action = "mimecast-block-sender"
	MimecastPermitSender      Action = "mimecast-permit-sender"
	MimecastBlockURL          Action = "mimecast-block-url"
	MimecastPermitURL         Action = "mimecast-permit-url"
	MimecastDeleteManagedURL  Action = "mimecast-delete-managed-url"
	MimecastCreatePolicy      Action = "mimecast-create-policy"
	MimecastUpdatePolicy      Action = "mimecast-update-policy"
	MimecastDeletePolicy      Action = "mimecast-delete-policy"
	MimecastCreateGroup       Action = "mimecast-create-group"
	MimecastUpdateGroup       Action = "mimecast-update-group"
	MimecastDeleteGroup       Action = "mimecast-delete-group"
	MimecastAddGroupMembers   Action = "mimecast-add-group-members"
	MimecastRemoveGroupMember Action = "mimecast-remove-group-member"
	MimecastReleaseHeld       Action = "mimecast-release-held"
	MimecastRejectHeld        Action = "mimecast-reject-held"

	// FortiMail changes.
	FortiMailCreateSessionProfile  Action = "fortimail-create-session-profile"
	FortiMailUpdateSessionProfile  Action = "fortimail-update-session-profile"
	FortiMailDeleteSessionProfile  Action = "fortimail-delete-session-profile"
	FortiMailCreateAntispamProfile Action = "fortimail-create-antispam-profile"
	FortiMailUpdateAntispamProfile Action = "fortimail-update-antispam-profile"
	FortiMailDeleteAntispamProfile Action = "fortimail-delete-antispam-profile"
	FortiMailAddToSenderList       Action = "fortimail-add-to-sender-list"
	FortiMailRemoveFromSenderList  Action = "fortimail-remove-from-sender-list"
	FortiMailAddToSessionList      Action = "fortimail-add-to-session-list"
	FortiMailRemoveFromSessionList Action = "fortimail-remove-from-session-list"
)

// responderActions are what a responder may do: act on messages, block or
// permit senders and URLs, handle held messages and the sender lists,
// report, send mail, export and save. The rest (calendar events included) — policies, profiles, groups — is
// gateway configuration and needs an admin.
var responderActions = map[Action]bool{
	Move: true, Copy: true, Trash: true, Delete: true, SoftDelete: true, Restore: true,
	Read: true, Unread: true, Flag: true, Unflag: true, Tag: true, Untag: true,
	RevertFlags: true, RemoveCopies: true, Report: true, Send: true,
	BlockSender: true, UnblockSender: true,
	PurgeSoft: true, PurgeJunk: true, PurgeUndo: true,
	Export: true, SaveAttachment: true, SaveMessage: true,
	Verdict: true, FeedbackSend: true,
	MimecastBlockSender: true, MimecastPermitSender: true,
	MimecastBlockURL: true, MimecastPermitURL: true, MimecastDeleteManagedURL: true,
	MimecastReleaseHeld: true, MimecastRejectHeld: true,
	FortiMailAddToSenderList: true, FortiMailRemoveFromSenderList: true,
}

// Known lists every action name, for validation and help.
func Known() []Action {
	return []Action{
		Move, Copy, Trash, Delete, SoftDelete, Restore, Read, Unread, Flag, Unflag, Tag, Untag,
		RevertFlags, RemoveCopies, Report, Send, BlockSender, UnblockSender, PurgeSoft, PurgeJunk, PurgeHard, PurgeUndo,
		Export, SaveAttachment, SaveMessage, Verdict, FeedbackSend, CalendarCreate,
		MimecastBlockSender, MimecastPermitSender, MimecastBlockURL, MimecastPermitURL, MimecastDeleteManagedURL,
		MimecastCreatePolicy, MimecastUpdatePolicy, MimecastDeletePolicy,
		MimecastCreateGroup, MimecastUpdateGroup, MimecastDeleteGroup, MimecastAddGroupMembers, MimecastRemoveGroupMember,
		MimecastReleaseHeld, MimecastRejectHeld,
		FortiMailCreateSessionProfile, FortiMailUpdateSessionProfile, FortiMailDeleteSessionProfile,
		FortiMailCreateAntispamProfile, FortiMailUpdateAntispamProfile, FortiMailDeleteAntispamProfile,
		FortiMailAddToSenderList, FortiMailRemoveFromSenderList, FortiMailAddToSessionList, FortiMailRemoveFromSessionList,
	}
}
