package purge_test

import (
	"context"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	mtimap "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/backend/purge"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

// localBox is a Dovecot mailbox holding the phish twice in INBOX, once in
// "Phishing reports" and once in Junk, beside other mail.
func localBox(t *testing.T) mail.Mailbox {
	t.Helper()
	srv := dovecottest.Start(t)
	if err := srv.AddUser("u", "pw"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"Trash", "Junk", "Phishing reports"} {
		if err := srv.CreateFolder("u", f); err != nil {
			t.Fatal(err)
		}
	}
	phish := dovecottest.Message{Raw: raw(phishID, "u@example.com")}
	other := dovecottest.Message{Raw: raw("<lunch@example.com>", "u@example.com")}
	for folder, msgs := range map[string][]dovecottest.Message{
		"INBOX": {phish, other, phish}, "Phishing reports": {phish}, "Junk": {other, phish},
	} {
		if err := srv.Deliver("u", folder, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	box := mtimap.New(mtimap.Config{Addr: srv.Addr, TLS: mtimap.TLSNone, Username: "u", Password: func(context.Context) (string, error) { return "pw", nil }})
	t.Cleanup(func() { box.Close() })
	return box
}

func localPurger(t *testing.T, box mail.Mailbox, role string) *purge.Local {
	actions, _ := cliLayer(t, role)
	return &purge.Local{Box: box, Actions: actions, Account: "soc", Address: "u@example.com"}
}

// count is how many copies of the phish each folder holds.
func count(t *testing.T, box mail.Mailbox) map[string]int {
	t.Helper()
	out := map[string]int{}
	q := mail.Query{Terms: []mail.Term{{Field: mail.FieldMessageID, Value: phishID}}}
	for _, f := range []string{"INBOX", "Phishing reports", "Junk", "Trash"} {
		_, uids, err := box.Search(context.Background(), f, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(uids) > 0 {
			out[f] = len(uids)
		}
	}
	return out
}

func TestLocalPurgeSoftUndoJunkHard(t *testing.T) {
	box := localBox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	l := localPurger(t, box, remediate.RoleResponder)
	p, err := l.Plan(ctx, phishID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Scope != purge.ScopeMailbox || p.Copies() != 4 || !p.Complete() {
		t.Fatalf("plan: %s", p.Summary())
	}
	res, err := l.Apply(ctx, p, purge.Soft)
	if err != nil || res.Done != 4 {
		t.Fatalf("soft: %+v, %v", res, err)
	}
	if got := count(t, box); got["Trash"] != 4 || len(got) != 1 {
		t.Fatalf("after soft purge: %v", got)
	}
	if res, err := l.Apply(ctx, p, purge.Soft); err != nil || res.Already != 4 || res.Done != 0 {
		t.Fatalf("second apply touched something: %+v, %v", res, err)
	}
	if res, err := l.Undo(ctx, p); err != nil || res.Done != 4 {
		t.Fatalf("undo: %+v, %v", res, err)
	}
	want := map[string]int{"INBOX": 2, "Phishing reports": 1, "Junk": 1}
	if got := count(t, box); len(got) != 3 || got["INBOX"] != 2 || got["Phishing reports"] != 1 || got["Junk"] != 1 {
		t.Fatalf("after undo: %v, want %v", got, want)
	}
	// Junk leaves the copy already in Junk where it is.
	if res, err := l.Apply(ctx, p, purge.Junk); err != nil || res.Done != 3 || res.Already != 1 {
		t.Fatalf("junk: %+v, %v", res, err)
	}
	if got := count(t, box); got["Junk"] != 4 {
		t.Fatalf("after junk: %v", got)
	}
	if _, err := l.Undo(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Apply(ctx, p, purge.Hard); err == nil {
		t.Fatal("a responder purged hard")
	}
	admin := localPurger(t, box, remediate.RoleAdmin)
	fresh, err := admin.Plan(ctx, phishID)
	if err != nil || fresh.Copies() != 4 {
		t.Fatalf("plan again: %v, %v", fresh, err)
	}
	if res, err := admin.Apply(ctx, fresh, purge.Hard); err != nil || res.Done != 4 {
		t.Fatalf("hard: %+v, %v", res, err)
	}
	if got := count(t, box); len(got) != 0 {
		t.Fatalf("after hard purge: %v", got)
	}
	// The other mail is all still there.
	for _, f := range []string{"INBOX", "Junk"} {
		l, err := box.List(ctx, f, 0)
		if err != nil || len(l.UIDs) != 1 {
			t.Fatalf("%s: %d messages left, want 1 (%v)", f, len(l.UIDs), err)
		}
	}
}
