// Package mailboxtest is a contract test suite every mail.Mailbox
// implementation must pass: the behaviour the console relies on, written
// once and run against each backend (IMAP on Dovecot, Cyrus and Courier;
// Graph on graphtest).
package mailboxtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// Fixture is one fresh mailbox for one subtest.
type Fixture struct {
	Box mail.Mailbox
	// Inbox and Other are two existing, empty folders.
	Inbox, Other string
	// Seed stores raw in folder as delivered mail (unread), in order.
	Seed func(folder string, raw []byte)
}

// Run runs the suite; newBox makes a fresh fixture for each subtest.
func Run(t *testing.T, newBox func(t *testing.T) Fixture) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, Fixture)
	}{
		{"ListShowsSeededMailInOrder", listShowsSeededMail},
		{"MoveReportsWhereEachMessageWent", moveReportsWhere},
		{"CopyKeepsTheOriginal", copyKeepsOriginal},
		{"CategoriesRoundTripAndUndo", categoriesRoundTrip},
		{"ExpungeDeletesOnlyThoseMessages", expungeOnlyThose},
		{"SearchFindsBySubjectAndState", searchFinds},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newBox(t)
			t.Cleanup(func() { f.Box.Close() })
			c.fn(t, f)
		})
	}
}

func message(i int) []byte {
	return fmt.Appendf(nil, "From: Sender %d <s%d@example.com>\r\nTo: soc@example.com\r\nSubject: Contract %d\r\nMessage-Id: <contract%d@example.com>\r\nDate: Sun, 01 Nov 2026 09:%02d:00 +0000\r\n\r\nbody %d\r\n", i, i, i, i, i, i)
}

func seed(f Fixture, n int) {
	for i := range n {
		f.Seed(f.Inbox, message(i))
	}
}

func list(t *testing.T, f Fixture, folder string) mail.Listing {
	t.Helper()
	l, err := f.Box.List(context.Background(), folder, 0)
	if err != nil {
		t.Fatalf("List(%s): %v", folder, err)
	}
	return l
}

func subjects(t *testing.T, f Fixture, ref mail.FolderRef, uids []mail.UID) []string {
	t.Helper()
	envs, err := f.Box.Envelopes(context.Background(), ref, uids)
	if err != nil {
		t.Fatalf("Envelopes: %v", err)
	}
	out := make([]string, len(envs))
	for i, e := range envs {
		out[i] = e.Subject
	}
	return out
}

func listShowsSeededMail(t *testing.T, f Fixture) {
	seed(f, 3)
	l := list(t, f, f.Inbox)
	if len(l.UIDs) != 3 || l.Unseen != 3 || l.Folder.UIDValidity == 0 || !slices.IsSorted(l.UIDs) {
		t.Fatalf("listing %+v", l)
	}
	if got := subjects(t, f, l.Folder, l.UIDs); !slices.Equal(got, []string{"Contract 0", "Contract 1", "Contract 2"}) {
		t.Fatalf("subjects in UID order: %q", got)
	}
	msg, err := f.Box.Fetch(context.Background(), l.Folder, l.UIDs[1], 0)
	if err != nil || len(msg.Raw) == 0 || msg.Flags.Seen {
		t.Fatalf("Fetch: %+v %v", msg, err)
	}
	if after := list(t, f, f.Inbox); after.Unseen != 3 {
		t.Fatalf("Fetch marked a message read: %d unseen", after.Unseen)
	}
}

func moveReportsWhere(t *testing.T, f Fixture) {
	ctx := context.Background()
	seed(f, 4)
	in := list(t, f, f.Inbox)
	ids, _ := f.Box.MessageIDs(ctx, in.Folder, in.UIDs)
	tr, err := f.Box.Move(ctx, in.Folder, in.UIDs[1:3], f.Other)
	if err != nil || len(tr.Done) != 2 || len(tr.NotDone) != 0 {
		t.Fatalf("move: %+v %v", tr, err)
	}
	other := list(t, f, f.Other)
	if !slices.Equal(other.UIDs, tr.Destinations()) {
		t.Fatalf("%s lists %v, the transfer says %v", f.Other, other.UIDs, tr.Destinations())
	}
	moved, _ := f.Box.MessageIDs(ctx, other.Folder, other.UIDs)
	for _, p := range tr.Done {
		if moved[p.Dst] != ids[p.Src] {
			t.Fatalf("UID %d went to %d, which is %q, not %q", p.Src, p.Dst, moved[p.Dst], ids[p.Src])
		}
	}
	if n := len(list(t, f, f.Inbox).UIDs); n != 2 {
		t.Fatalf("%s has %d after the move", f.Inbox, n)
	}
	if _, err := f.Box.Move(ctx, tr.To, tr.Destinations(), f.Inbox); err != nil {
		t.Fatalf("undo: %v", err)
	}
	if n := len(list(t, f, f.Inbox).UIDs); n != 4 {
		t.Fatalf("%s has %d after undo", f.Inbox, n)
	}
}

func copyKeepsOriginal(t *testing.T, f Fixture) {
	seed(f, 2)
	in := list(t, f, f.Inbox)
	tr, err := f.Box.Copy(context.Background(), in.Folder, in.UIDs, f.Other)
	if err != nil || len(tr.Destinations()) != 2 {
		t.Fatalf("copy: %+v %v", tr, err)
	}
	if len(list(t, f, f.Inbox).UIDs) != 2 || len(list(t, f, f.Other).UIDs) != 2 {
		t.Fatal("copy changed the wrong counts")
	}
}

func categoriesRoundTrip(t *testing.T, f Fixture) {
	ctx := context.Background()
	seed(f, 3)
	in := list(t, f, f.Inbox)
	kw, err := mail.EncodeKeyword("Phish – confirmed")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Box.Store(ctx, in.Folder, in.UIDs[:1], mail.FlagChange{Add: []string{kw}}); err != nil {
		t.Fatal(err)
	}
	res, err := f.Box.Store(ctx, in.Folder, in.UIDs, mail.FlagChange{Add: []string{kw, mail.FlagFlagged}})
	if err != nil || !slices.Equal(res.Added[kw], in.UIDs[1:]) || len(res.Added[mail.FlagFlagged]) != 3 {
		t.Fatalf("store: %+v %v", res, err)
	}
	envs, _ := f.Box.Envelopes(ctx, in.Folder, in.UIDs)
	for _, e := range envs {
		if len(e.Flags.Keywords) != 1 || mail.DecodeKeyword(e.Flags.Keywords[0]) != "Phish – confirmed" || !e.Flags.Flagged {
			t.Fatalf("flags of %d: %+v", e.UID, e.Flags)
		}
	}
	for _, r := range res.Reverse() {
		if _, err := f.Box.Store(ctx, in.Folder, r.UIDs, r.Change); err != nil {
			t.Fatal(err)
		}
	}
	envs, _ = f.Box.Envelopes(ctx, in.Folder, in.UIDs)
	for i, e := range envs {
		if (len(e.Flags.Keywords) == 1) != (i == 0) || e.Flags.Flagged {
			t.Fatalf("after undo, flags of %d: %+v", e.UID, e.Flags)
		}
	}
}

func expungeOnlyThose(t *testing.T, f Fixture) {
	seed(f, 3)
	in := list(t, f, f.Inbox)
	gone, err := f.Box.Expunge(context.Background(), in.Folder, in.UIDs[:1])
	if err != nil || !slices.Equal(gone, in.UIDs[:1]) {
		t.Fatalf("expunge: %v %v", gone, err)
	}
	if left := list(t, f, f.Inbox).UIDs; !slices.Equal(left, in.UIDs[1:]) {
		t.Fatalf("left %v, want %v", left, in.UIDs[1:])
	}
	if _, err := f.Box.Fetch(context.Background(), in.Folder, in.UIDs[0], 0); !errors.Is(err, mail.ErrNotFound) {
		t.Fatalf("fetch of an expunged message: %v", err)
	}
}

func searchFinds(t *testing.T, f Fixture) {
	ctx := context.Background()
	seed(f, 4)
	in := list(t, f, f.Inbox)
	if err := f.Box.SetSeen(ctx, in.Folder, in.UIDs[2:], true); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    string
		want []mail.UID
	}{
		{`subject:"Contract 1"`, in.UIDs[1:2]},
		{"is:unread", in.UIDs[:2]},
		{"is:read from:s3@example.com", in.UIDs[3:]},
		{"since:2000-01-01", in.UIDs},
		{"before:2000-01-01", nil},
	} {
		q, err := mail.ParseQuery(c.q)
		if err != nil {
			t.Fatal(err)
		}
		ref, got, err := f.Box.Search(ctx, f.Inbox, q)
		if err != nil || ref.UIDValidity != in.Folder.UIDValidity || !slices.Equal(got, c.want) {
			t.Errorf("%s: %v %v, want %v", c.q, got, err, c.want)
		}
	}
}
