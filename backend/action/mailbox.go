package action

import (
	"context"
	"errors"
	"fmt"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

// ConfirmAbove is the number of messages past which every mailbox action
// asks first, whatever it is.
const ConfirmAbove = 50

// MailboxPlan is one mailbox change, worked out and checked, not yet
// applied.
type MailboxPlan struct {
	Name   Name
	Target Target
	// Dest is the folder of move, copy and trash.
	Dest string
	// Keyword is the category of tag and untag, as stored.
	Keyword string
}

// PlanMailbox works out name on target: Trash goes to the folder with the
// trash role among folders; a move to where the messages already are and
// an action the operator's role forbids are refused here, before the
// screen changes.
func (l *Layer) PlanMailbox(t Target, name Name, dest, keyword string, folders []mail.Folder) (MailboxPlan, error) {
	p := MailboxPlan{Name: name, Target: t, Dest: dest, Keyword: keyword}
	if err := l.Check(name); err != nil {
		return p, err
	}
	if err := t.Valid(); err != nil {
		return p, err
	}
	switch name {
	case remediate.Trash:
		trash := FolderWithRole(folders, mail.RoleTrash)
		switch {
		case trash == "":
			return p, errors.New("this account has no Trash folder (set trash in [accounts.folders]); D deletes permanently")
		case trash == t.Folder.Name:
			return p, errors.New("already in Trash: D deletes permanently")
		}
		p.Dest = trash
	case remediate.Move, remediate.Copy:
		if dest == "" {
			return p, fmt.Errorf("%s: no destination folder", name)
		}
		if dest == t.Folder.Name {
			return p, fmt.Errorf("%s: the messages are already in %s", name, dest)
		}
	case remediate.Tag, remediate.Untag:
		if keyword == "" {
			return p, fmt.Errorf("%s: no category", name)
		}
	}
	return p, nil
}

// FolderWithRole is the name of the folder with role, or "".
func FolderWithRole(folders []mail.Folder, role mail.Role) string {
	for _, f := range folders {
		if f.Role == role {
			return f.Name
		}
	}
	return ""
}

// NeedsConfirm reports plans that always ask first: permanent deletes,
// anything on more than ConfirmAbove messages, and a target widened to
// every report of a phish.
func (p MailboxPlan) NeedsConfirm() bool {
	return p.Name.Destructive() || p.Target.Count() > ConfirmAbove || p.Target.Grown
}

// Question is the confirm line: it names the action, the count and the
// folder, and where the messages go.
func (p MailboxPlan) Question() string {
	what := p.Target.Describe()
	switch p.Name {
	case remediate.Delete:
		return fmt.Sprintf("Delete %s permanently? This cannot be undone.", what)
	case remediate.Move, remediate.Copy:
		return fmt.Sprintf("%s %s to %s?", capital(string(p.Name)), what, p.Dest)
	case remediate.Trash:
		return fmt.Sprintf("Move %s to %s?", what, p.Dest)
	case remediate.Tag:
		return fmt.Sprintf("Tag %s as %s?", what, mail.DecodeKeyword(p.Keyword))
	case remediate.Untag:
		return fmt.Sprintf("Remove the category %s from %s?", mail.DecodeKeyword(p.Keyword), what)
	}
	return fmt.Sprintf("%s: %s?", capital(p.Name.Phrase()), what)
}

// Doing words the plan for the status line while it runs.
func (p MailboxPlan) Doing() string {
	s := fmt.Sprintf("%s %s", p.Name, p.Target.Describe())
	if p.Dest != "" {
		s += " → " + p.Dest
	}
	return s
}

// Request is the remediate request the plan stands for.
func (p MailboxPlan) Request() remediate.Request {
	t := p.Target
	return remediate.Request{Account: t.Account, Box: t.Box, Action: p.Name, Folder: t.Folder, UIDs: t.UIDs, Dest: p.Dest, Keyword: p.Keyword}
}

// Apply carries out a plan (audited: intent before, result after) and
// reports progress as messages done of total.
func (l *Layer) Apply(ctx context.Context, p MailboxPlan, progress func(done, total int)) (remediate.Outcome, error) {
	return l.Do(ctx, p.Request(), progress)
}

// Do carries out a remediate request as it is; undo requests (built by
// Outcome.Undo) come through here.
func (l *Layer) Do(ctx context.Context, req remediate.Request, progress func(done, total int)) (remediate.Outcome, error) {
	svc, err := l.service()
	if err != nil {
		return remediate.Outcome{Request: req}, err
	}
	return svc.Do(ctx, req, progress)
}

// Undo takes back an outcome.
func (l *Layer) Undo(ctx context.Context, o remediate.Outcome, progress func(done, total int)) (remediate.Outcome, error) {
	req, err := o.Undo()
	if err != nil {
		return remediate.Outcome{Request: req}, err
	}
	return l.Do(ctx, req, progress)
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
