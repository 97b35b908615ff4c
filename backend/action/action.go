// Package action is the one path every front end takes to change
// anything: the console's keys and commands, the SSH sessions and the
// headless commands all call it. An action is aimed at an explicit Target
// (account, folder, UIDVALIDITY, UIDs) from the key press to the server;
// the layer plans it (what exactly, in words the confirm line shows),
// checks it (role, guardrails), applies it between an audit intent and an
// audit result, and knows how to undo it.
//
// Mailbox changes are carried out by package remediate, blocks by package
// block; this package composes them with the gateways, report forwarding,
// exports and saves so that no screen writes its own audited wrapper.
package action

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

// Name is an action's name (see remediate's constants): what audit
// records, role checks and `act` call it.
type Name = remediate.Action

// Target is exactly what an action is aimed at: messages of one folder
// of one account, at the UIDVALIDITY they were read at.
type Target struct {
	Account string
	Box     mail.Mailbox
	Folder  mail.FolderRef
	UIDs    []mail.UID
	// Subject names a single message in the confirm line ("" when
	// unknown or for several).
	Subject string
	// Cases is set when the messages are reports: how many distinct
	// reported originals they carry (so the line says "3 reports of one
	// phish"). Grown says the target was widened from what the analyst
	// picked to every report of the same phish: the action then asks.
	Cases int
	Grown bool
}

// Count is how many messages the target holds.
func (t Target) Count() int { return len(t.UIDs) }

// Describe words the target for a confirm or status line: `1 message
// "Invoice 4711" in INBOX`, `3 messages in Phishing reports`.
func (t Target) Describe() string {
	n := len(t.UIDs)
	switch {
	case t.Cases == 1 && n > 1:
		return fmt.Sprintf("%d reports of one phish in %s", n, t.Folder.Name)
	case t.Cases > 1:
		return fmt.Sprintf("%d reports of %d phish in %s", n, t.Cases, t.Folder.Name)
	}
	if n == 1 && t.Subject != "" {
		return fmt.Sprintf("1 message %q in %s", clip(t.Subject, 60), t.Folder.Name)
	}
	return fmt.Sprintf("%s in %s", plural(n, "message"), t.Folder.Name)
}

// Valid says why a target cannot be acted on, or nil.
func (t Target) Valid() error {
	switch {
	case t.Box == nil:
		return errors.New("no mailbox to act on")
	case t.Folder.Name == "":
		return errors.New("no folder to act on")
	case len(t.UIDs) == 0:
		return errors.New("no message selected")
	}
	return nil
}

// Layer carries out actions for one operator (one console session, one
// SSH session or one headless command).
type Layer struct {
	// Remedy audits and applies; nil: every change is refused.
	Remedy *remediate.Service
}

// ErrUnavailable refuses every change in a session without an audit log.
var ErrUnavailable = errors.New("changes are not available in this session (no audit log): nothing was changed")

// Check asks whether the operator may run name, without doing anything:
// screens call it before they show an action's effect, so a refused
// action never flickers. Every apply checks again.
func (l *Layer) Check(name Name) error {
	if l == nil || l.Remedy == nil {
		return nil
	}
	return l.Remedy.Check(name)
}

func (l *Layer) service() (*remediate.Service, error) {
	if l == nil || l.Remedy == nil {
		return nil, ErrUnavailable
	}
	return l.Remedy, nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func clip(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
