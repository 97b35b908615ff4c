// Package purge finds every copy of a message across an organisation's
// mailboxes and takes them out: the step after a confirmed phish
// (issue 14, "purge every copy").
//
// Over Microsoft Graph with an application token, Plan lists the
// tenant's users and asks each mailbox for internetMessageId eq '<id>',
// twenty mailboxes per $batch, within Graph's four requests at once per
// mailbox, waiting out each mailbox's Retry-After on its own. A plan cut
// short (cancelled, a mailbox refusing) keeps what it knows: Continue
// asks only the mailboxes not yet answered. Apply moves each copy to
// Recoverable Items (soft), to Junk Email (junk), or deletes it for good
// (hard), with one audit record per mailbox through the action layer;
// it marks each copy done in the plan, so applying the plan again only
// retries what failed, and Undo moves soft- and junk-purged copies back
// where they were found.
//
// Everything a plan holds that came from a mail (subjects, recipients,
// the Message-ID itself) is untrusted: sanitize before display.
package purge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

// Mode is how copies are taken out.
type Mode string

// Modes.
const (
	// Soft moves each copy to Recoverable Items (Deletions): out of the
	// user's sight, and back with Undo.
	Soft Mode = "soft"
	// Junk moves each copy to Junk Email; Undo moves it back.
	Junk Mode = "junk"
	// Hard deletes each copy permanently; there is no undo.
	Hard Mode = "hard"
)

// ParseMode reads soft, junk or hard.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case Soft, Junk, Hard:
		return m, nil
	}
	return "", fmt.Errorf("mode %q: use soft, junk or hard", s)
}

// Action is the audited action name of the mode (its role check).
func (m Mode) Action() remediate.Action {
	switch m {
	case Junk:
		return remediate.PurgeJunk
	case Hard:
		return remediate.PurgeHard
	}
	return remediate.PurgeSoft
}

// Scopes of a plan.
const (
	// ScopeTenant: every mailbox of the organisation (Graph, app-only).
	ScopeTenant = "tenant"
	// ScopeMailbox: the configured account's mailbox only (IMAP).
	ScopeMailbox = "this mailbox only"
)

// Copy is one copy of the message in one mailbox.
type Copy struct {
	// ID names the copy on the server (a Graph immutable id).
	ID string `json:"id"`
	// Folder is the folder it was found in; Undo moves it back there.
	Folder     string    `json:"folder"`
	Received   time.Time `json:"received"`
	Recipients []string  `json:"recipients,omitempty"`
	Subject    string    `json:"subject,omitempty"`
	// From is the sender's address (the guard looks at its domain).
	From string `json:"from,omitempty"`
	// Purged is the mode applied to it, once done; Gone says it had
	// disappeared before it could be touched (someone else removed it).
	Purged Mode `json:"purged,omitempty"`
	Gone   bool `json:"gone,omitempty"`
	// Untouched says the copy was already where junk mode sends it:
	// it was left alone and Undo leaves it too.
	Untouched bool `json:"untouched,omitempty"`
	// Error is why the last try failed ("" when none did).
	Error string `json:"error,omitempty"`
	// UIDValidity is the folder's, for an IMAP copy (ID is then its
	// UID); MovedTo is where a soft or junk purge put it, for Undo.
	UIDValidity uint32    `json:"uidvalidity,omitempty"`
	MovedTo     *Location `json:"moved_to,omitempty"`
}

// Location is a message of an IMAP folder.
type Location struct {
	Folder      string `json:"folder"`
	UIDValidity uint32 `json:"uidvalidity"`
	UID         uint32 `json:"uid"`
}

// open says the copy is still to be purged.
func (c *Copy) open() bool { return c.Purged == "" && !c.Gone }

// Box is a mailbox holding copies.
type Box struct {
	Mailbox string  `json:"mailbox"`
	UserID  string  `json:"user_id,omitempty"`
	Copies  []*Copy `json:"copies"`
}

// Failure is a mailbox that could not be searched or acted on; a later
// Continue or Apply tries it again.
type Failure struct {
	Mailbox string `json:"mailbox"`
	UserID  string `json:"user_id,omitempty"`
	Status  int    `json:"status,omitempty"`
	Error   string `json:"error"`
}

// Mailbox is one mailbox to search.
type Mailbox struct {
	ID      string `json:"id"`
	Address string `json:"address"`
}

// Plan is where the copies of one message are: mailboxes × copies. It
// also carries how far the search got, so that a cut-short search can
// continue (it serializes to JSON for that).
type Plan struct {
	MessageID string `json:"message_id"`
	Scope     string `json:"scope"`
	// Boxes are the mailboxes holding at least one copy.
	Boxes []*Box `json:"mailboxes"`
	// Searched counts the mailboxes that answered.
	Searched int `json:"searched"`
	// Failed are the mailboxes that could not be searched.
	Failed []Failure `json:"failed,omitempty"`
	// Listed says every mailbox has been listed; UsersNext is where
	// the listing goes on otherwise; Todo are the mailboxes listed and
	// not asked yet.
	Listed    bool      `json:"listed"`
	UsersNext string    `json:"users_next,omitempty"`
	Todo      []Mailbox `json:"todo,omitempty"`
}

// Copies counts the copies found.
func (p *Plan) Copies() int {
	n := 0
	for _, b := range p.Boxes {
		n += len(b.Copies)
	}
	return n
}

// Complete says every mailbox answered: nothing left to list or ask, no
// failure to retry.
func (p *Plan) Complete() bool { return p.Listed && len(p.Todo) == 0 && len(p.Failed) == 0 }

// Open counts the copies still to purge.
func (p *Plan) Open() int {
	n := 0
	for _, b := range p.Boxes {
		for _, c := range b.Copies {
			if c.open() {
				n++
			}
		}
	}
	return n
}

// Summary words the plan for a confirm line: "300 copies in 212
// mailboxes (10,000 searched, 3 failed)".
func (p *Plan) Summary() string {
	s := fmt.Sprintf("%s in %s (%d searched", plural(p.Copies(), "copy"), plural(len(p.Boxes), "mailbox"), p.Searched)
	if len(p.Failed) > 0 {
		s += fmt.Sprintf(", %d failed", len(p.Failed))
	}
	if n := len(p.Todo); n > 0 || !p.Listed {
		s += ", search not finished"
	}
	if p.Scope == ScopeMailbox {
		s += "; this mailbox only"
	}
	return s + ")"
}

// Progress is how far a plan, an apply or an undo is: Done of Total
// (mailboxes while planning, copies while applying), Failed of them.
type Progress struct {
	Phase  string // "list", "search", "apply", "undo"
	Done   int
	Total  int
	Failed int
}

// Result is what an Apply or Undo did.
type Result struct {
	Mode Mode `json:"mode"`
	// Done copies were purged (or moved back) now; Already were done
	// by an earlier apply, or were already where the mode puts them,
	// and were left alone; Gone had disappeared.
	Done    int `json:"done"`
	Already int `json:"already"`
	Gone    int `json:"gone"`
	// Failed lists the mailboxes where a copy failed; applying the plan
	// again retries exactly those copies.
	Failed []Failure `json:"failed,omitempty"`
	// Requests counts the HTTP requests made.
	Requests int `json:"requests"`
}

// Purger is what a front end calls: Plan, Continue, Apply and Undo, over
// a tenant (Graph) or over one mailbox (IMAP).
type Purger interface {
	// Plan finds every copy of the message; a plan cut short comes
	// back with the error and Continue takes it on.
	Plan(ctx context.Context, messageID string) (*Plan, error)
	Continue(ctx context.Context, p *Plan) error
	// Apply purges the plan's open copies; Undo moves soft- and
	// junk-purged copies back.
	Apply(ctx context.Context, p *Plan, mode Mode) (Result, error)
	Undo(ctx context.Context, p *Plan) (Result, error)
}

var (
	_ Purger = (*Graph)(nil)
	_ Purger = (*Local)(nil)
)

// NormalizeID puts a Message-ID in the form servers store it, <…>, and
// refuses what cannot be one (empty, spaces, control characters, longer
// than a header line).
func NormalizeID(id string) (string, error) {
	id = strings.TrimSpace(id)
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	switch {
	case id == "":
		return "", errors.New("no Message-ID")
	case len(id) > 995:
		return "", errors.New("Message-ID longer than a header line")
	case strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '<' || r == '>' }):
		return "", errors.New("Message-ID with spaces, brackets or control characters")
	}
	return "<" + id + ">", nil
}

func plural(n int, noun string) string {
	switch {
	case n == 1:
		return "1 " + noun
	case strings.HasSuffix(noun, "y"):
		return fmt.Sprintf("%d %sies", n, noun[:len(noun)-1])
	case strings.HasSuffix(noun, "x"):
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Options are what New needs beside the mailbox.
type Options struct {
	// Actions audits and role-checks; Account names the configured
	// account in audit records; Address is the mailbox's own address
	// (IMAP plans name it).
	Actions *action.Layer
	Account string
	Address string
	// Guard and Confirm: see Guard. A console that asked the analyst to
	// type the domain makes a new purger with Confirm set.
	Guard    Guard
	Confirm  string
	Progress func(Progress)
}

// New returns the purger for an account's mailbox: across the tenant for
// a Graph mailbox (its token needs application permission), this mailbox
// only for any other. release frees it.
func New(box mail.Mailbox, o Options) (p Purger, release func()) {
	if g, ok := mail.As[*graph.Mailbox](box); ok { // through a session's view too
		t := g.Tenant(graph.DefaultTenantConcurrency)
		return &Graph{Tenant: t, Actions: o.Actions, Account: o.Account, Guard: o.Guard, Confirm: o.Confirm, Progress: o.Progress},
			func() { t.Close() }
	}
	return &Local{Box: box, Actions: o.Actions, Account: o.Account, Address: o.Address, Guard: o.Guard, Confirm: o.Confirm, Progress: o.Progress},
		func() {}
}
