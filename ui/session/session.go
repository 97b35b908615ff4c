// Package session is what the screens that read mail and act on it share
// on top of common.Common: the accounts, the action layer, the gateways
// and the analysis limits, and the messages screens send each other about
// messages. The SSH server builds one per session; the console one.
package session

import (
	"time"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/report"
	"github.com/mailtriage/mailtriage/backend/verdict"
	"github.com/mailtriage/mailtriage/ui/common"
)

// Session is one console session's backends, on top of what every screen
// shares.
type Session struct {
	*common.Common
	// Actions is the one way a screen changes anything: planned, checked,
	// audited, undoable (backend/action).
	Actions *action.Layer
	// Gateways are the Mimecast and FortiMail clients, if configured.
	Gateways Gateways
	// Limits bound the analysis of one message (zero fields: defaults).
	Limits evidence.Limits
	// Verdicts are the verdicts an analyst may give a case of reports.
	Verdicts verdict.Set
}

// Account is one mail account as the screens see it.
type Account struct {
	Name          string
	Server        string // shown in the status bar, e.g. imaps://mail.example.com:993
	Mailbox       mail.Mailbox
	DefaultFolder string
	// MessageLimit caps how many bytes of one message are read.
	MessageLimit int64
	// Report is where F forwards a message; nil when not configured.
	Report *ReportDesk
	// Address is the mailbox's own address (its domain is never a block
	// target); "" when unknown.
	Address string
	// FeedbackFrom is where replies to reporters come from; SMTP is the
	// account's submission server (nil: none; Graph accounts send
	// through the mailbox).
	FeedbackFrom string
	SMTP         *report.Server
}

// ReportDesk is an account's abuse/report desk and how to reach it.
type ReportDesk = action.Desk

// OpenMessageMsg asks the root to show a message.
type OpenMessageMsg struct {
	Account  string
	Folder   mail.FolderRef
	Envelope mail.Envelope
}

// Gateways are the email security gateways this session can act on; nil
// means not configured.
type Gateways struct {
	Mimecast  *mimecast.Client
	FortiMail *fortimail.Client
	// FortiMailInsecure is set when verify_tls = false: screens warn.
	FortiMailInsecure bool
}

// TrackMsg asks the root to open Mimecast message tracking on a
// Message-ID.
type TrackMsg struct {
	MessageID string
	Date      time.Time // when it was sent or received; zero if unknown
}

// BlockSenderMsg asks the root to run the mailbox's block flow on exactly
// Target, whose envelope is Envelope (the open message).
type BlockSenderMsg struct {
	Target   action.Target
	Envelope *mail.Envelope
	// Reporters reported the message: never block targets.
	Reporters []string
}

// ActMsg asks the root to run a mailbox action on the open message (the
// message screen's d, D, f, F: the list's keys, on what is shown).
type ActMsg struct {
	Action remediate.Action
}

// ForAccount names the account whose screen the message is for.
func (m SeenChangedMsg) ForAccount() string { return m.Account }

// SeenChangedMsg tells every screen that messages were marked read or
// unread, so the list and the open message agree.
type SeenChangedMsg struct {
	Account string
	Folder  mail.FolderRef
	UIDs    []mail.UID
	Seen    bool
}
