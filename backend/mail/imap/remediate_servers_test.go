package imap_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/mailtriage/mailtriage/backend/mail"
	. "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/internal/corpustest"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
	"github.com/mailtriage/mailtriage/internal/imapservers"
)

// remediationServer is a Dovecot whose user has n generated messages in
// INBOX and empty Junk and Archive/2026 folders.
func remediationServer(t *testing.T, n int, opts ...dovecottest.Option) (*dovecottest.Server, *Mailbox) {
	t.Helper()
	srv := dovecottest.Start(t, opts...)
	if err := srv.AddUser(dvUser, dvPass); err != nil {
		t.Fatal(err)
	}
	seedRemediation(t, dovecotSeed{srv}, n)
	m := dovecotMailbox(srv, TLSNone, dvPass)
	t.Cleanup(func() { m.Close() })
	return srv, m
}

// remediationServers runs fn against Dovecot, Cyrus and Courier, each with
// n generated messages in INBOX and empty Junk and Archive/2026 folders.
// nested is "Archive/2026" as the server shows it ("Archive.2026" where
// the separator is ".").
func remediationServers(t *testing.T, n int, fn func(t *testing.T, srv imapservers.Server, m *Mailbox, nested string)) {
	eachServer(t, func(t *testing.T, srv imapservers.Server) {
		seedRemediation(t, srv, n)
		fn(t, srv, serverMailbox(t, srv), "Archive"+string(srv.Delim())+"2026")
	})
}

// seedable is a test server's set-up: Dovecot's or any of imapservers'.
type seedable interface {
	CreateFolder(user, name string) error
	Deliver(user, folder string, msgs ...dovecottest.Message) error
}

// dovecotSeed is a Dovecot as seedable: its CreateFolder also takes
// special-use attributes.
type dovecotSeed struct{ *dovecottest.Server }

func (d dovecotSeed) CreateFolder(user, name string) error { return d.Server.CreateFolder(user, name) }

// seedRemediation gives dvUser n generated messages without flags in
// INBOX and empty Junk, Archive and Archive/2026 folders.
func seedRemediation(t *testing.T, srv seedable, n int) {
	t.Helper()
	for _, f := range []string{"Junk", "Archive", "Archive/2026"} {
		if err := srv.CreateFolder(dvUser, f); err != nil {
			t.Fatal(err)
		}
	}
	msgs := dovecottest.GenerateMessages(n, 7, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	for i := range msgs {
		msgs[i].Flags = nil
	}
	if err := srv.Deliver(dvUser, "INBOX", msgs...); err != nil {
		t.Fatal(err)
	}
}

func listUIDs(t *testing.T, m *Mailbox, folder string) mail.Listing {
	t.Helper()
	l, err := m.List(context.Background(), folder, 0)
	if err != nil {
		t.Fatalf("List(%s): %v", folder, err)
	}
	return l
}

func TestMoveReportsWhereEachMessageWent(t *testing.T) {
	remediationServers(t, 6, func(t *testing.T, _ imapservers.Server, m *Mailbox, _ string) {
		ctx := context.Background()
		in := listUIDs(t, m, "INBOX")
		ids, err := m.MessageIDs(ctx, in.Folder, in.UIDs)
		if err != nil || len(ids) != 6 {
			t.Fatalf("MessageIDs: %v %v", ids, err)
		}
		tr, err := m.Move(ctx, in.Folder, in.UIDs[1:4], "Junk")
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Done) != 3 || len(tr.NotDone) != 0 || tr.To.UIDValidity == 0 {
			t.Fatalf("transfer %+v", tr)
		}
		junk := listUIDs(t, m, "Junk")
		if !slices.Equal(junk.UIDs, tr.Destinations()) {
			t.Fatalf("Junk has %v, transfer says %v", junk.UIDs, tr.Destinations())
		}
		moved, _ := m.MessageIDs(ctx, junk.Folder, junk.UIDs)
		for _, p := range tr.Done {
			if moved[p.Dst] != ids[p.Src] {
				t.Fatalf("UID %d went to %d but that is %q, not %q", p.Src, p.Dst, moved[p.Dst], ids[p.Src])
			}
		}
		if got := listUIDs(t, m, "INBOX").UIDs; len(got) != 3 {
			t.Fatalf("INBOX left with %v", got)
		}
		// Undo: move back by the destination UIDs.
		back, err := m.Move(ctx, tr.To, tr.Destinations(), "INBOX")
		if err != nil || len(back.Done) != 3 {
			t.Fatalf("undo: %+v %v", back, err)
		}
		if n := len(listUIDs(t, m, "INBOX").UIDs); n != 6 {
			t.Fatalf("INBOX has %d after undo", n)
		}
	})
}

func TestDovecotMoveToMissingFolderKeepsEverything(t *testing.T) {
	for _, opts := range [][]dovecottest.Option{nil, {dovecottest.WithoutCapabilities("MOVE")}} {
		_, m := remediationServer(t, 4, opts...)
		in := listUIDs(t, m, "INBOX")
		tr, err := m.Move(context.Background(), in.Folder, in.UIDs, "Does not exist")
		if err == nil || !strings.Contains(err.Error(), "Does not exist") {
			t.Fatalf("move to a missing folder: %v", err)
		}
		if len(tr.Done) != 0 || len(tr.NotDone) != 4 {
			t.Fatalf("transfer %+v", tr)
		}
		if n := len(listUIDs(t, m, "INBOX").UIDs); n != 4 {
			t.Fatalf("INBOX has %d messages after a failed move", n)
		}
	}
}

// Without MOVE the move is COPY, \Deleted and UID EXPUNGE of exactly the
// copied UIDs: a message another client flagged \Deleted must survive.
func TestDovecotMoveWithoutMOVEExpungesOnlyWhatWasCopied(t *testing.T) {
	srv, m := remediationServer(t, 5, dovecottest.WithoutCapabilities("MOVE"))
	if m.Capabilities().Move {
		t.Fatal("server still advertises MOVE")
	}
	in := listUIDs(t, m, "INBOX")
	other := rawClient(t, srv)
	if _, err := other.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	foreign := imap.UIDSetNum(imap.UID(in.UIDs[4]))
	if err := other.Store(foreign, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	tr, err := m.Move(context.Background(), in.Folder, in.UIDs[:2], "Junk")
	if err != nil || len(tr.Done) != 2 || tr.Flagged {
		t.Fatalf("move: %+v %v", tr, err)
	}
	left := listUIDs(t, m, "INBOX").UIDs
	if !slices.Equal(left, in.UIDs[2:]) {
		t.Fatalf("INBOX has %v, want %v (the foreign \\Deleted message must stay)", left, in.UIDs[2:])
	}
	if n := len(listUIDs(t, m, "Junk").UIDs); n != 2 {
		t.Fatalf("Junk has %d", n)
	}
}

// Without MOVE and UIDPLUS nothing can be expunged selectively: the copies
// are made, the originals flagged, and the transfer says so.
func TestDovecotMoveWithoutUIDPLUSLeavesOriginalsFlagged(t *testing.T) {
	_, m := remediationServer(t, 3, dovecottest.WithoutCapabilities("MOVE", "UIDPLUS"))
	in := listUIDs(t, m, "INBOX")
	tr, err := m.Move(context.Background(), in.Folder, in.UIDs[:2], "Junk")
	if err != nil || !tr.Flagged || len(tr.Done) != 2 {
		t.Fatalf("move: %+v %v", tr, err)
	}
	if n := len(listUIDs(t, m, "INBOX").UIDs); n != 3 {
		t.Fatalf("INBOX has %d: something was expunged without UIDPLUS", n)
	}
	envs, _ := m.Envelopes(context.Background(), in.Folder, in.UIDs)
	deleted := 0
	for _, e := range envs {
		if e.Flags.Deleted {
			deleted++
		}
	}
	if deleted != 2 {
		t.Fatalf("%d originals flagged \\Deleted, want 2", deleted)
	}
	if _, err := m.Expunge(context.Background(), in.Folder, in.UIDs[:1]); err == nil || !strings.Contains(err.Error(), "UIDPLUS") {
		t.Fatalf("hard delete without UIDPLUS: %v", err)
	}
}

func TestCopyKeepsTheOriginal(t *testing.T) {
	remediationServers(t, 3, func(t *testing.T, _ imapservers.Server, m *Mailbox, nested string) {
		in := listUIDs(t, m, "INBOX")
		tr, err := m.Copy(context.Background(), in.Folder, in.UIDs, nested)
		if err != nil || len(tr.Destinations()) != 3 {
			t.Fatalf("copy: %+v %v", tr, err)
		}
		if len(listUIDs(t, m, "INBOX").UIDs) != 3 || len(listUIDs(t, m, nested).UIDs) != 3 {
			t.Fatal("copy changed the wrong counts")
		}
	})
}

func TestCategoriesAreKeywordsAndUndoable(t *testing.T) {
	remediationServers(t, 4, func(t *testing.T, _ imapservers.Server, m *Mailbox, _ string) {
		ctx := context.Background()
		in := listUIDs(t, m, "INBOX")
		if !in.CanStoreKeywords {
			t.Fatal("the server should allow keywords")
		}
		kw, err := mail.EncodeKeyword("Phish – confirmed")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Store(ctx, in.Folder, in.UIDs[:1], mail.FlagChange{Add: []string{kw}}); err != nil {
			t.Fatal(err)
		}
		res, err := m.Store(ctx, in.Folder, in.UIDs, mail.FlagChange{Add: []string{kw, mail.FlagFlagged}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Added[kw], in.UIDs[1:]) || len(res.Added[mail.FlagFlagged]) != 4 {
			t.Fatalf("result %+v", res)
		}
		envs, _ := m.Envelopes(ctx, in.Folder, in.UIDs)
		for _, e := range envs {
			if len(e.Flags.Keywords) != 1 || mail.DecodeKeyword(e.Flags.Keywords[0]) != "Phish – confirmed" {
				t.Fatalf("keywords of %d: %q", e.UID, e.Flags.Keywords)
			}
		}
		_, hits, err := m.Search(ctx, "INBOX", mustQuery(t, `tag:"Phish – confirmed"`))
		if err != nil || len(hits) != 4 {
			t.Fatalf("search by tag: %v %v", hits, err)
		}
		for _, r := range res.Reverse() {
			if _, err := m.Store(ctx, in.Folder, r.UIDs, r.Change); err != nil {
				t.Fatal(err)
			}
		}
		envs, _ = m.Envelopes(ctx, in.Folder, in.UIDs)
		for _, e := range envs {
			wantKw := e.UID == in.UIDs[0]
			if (len(e.Flags.Keywords) == 1) != wantKw || e.Flags.Flagged {
				t.Fatalf("after undo %d has %q flagged=%v", e.UID, e.Flags.Keywords, e.Flags.Flagged)
			}
		}
	})
}

func TestInvalidKeywordIsRefusedBeforeSending(t *testing.T) {
	remediationServers(t, 1, func(t *testing.T, _ imapservers.Server, m *Mailbox, _ string) {
		in := listUIDs(t, m, "INBOX")
		if _, err := m.Store(context.Background(), in.Folder, in.UIDs, mail.FlagChange{Add: []string{"two words"}}); err == nil {
			t.Fatal("invalid keyword accepted")
		}
		// The connection is still fine.
		if _, err := m.Envelopes(context.Background(), in.Folder, in.UIDs); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSoftAndHardDelete(t *testing.T) {
	remediationServers(t, 4, func(t *testing.T, srv imapservers.Server, m *Mailbox, _ string) {
		ctx := context.Background()
		in := listUIDs(t, m, "INBOX")
		if _, err := m.Store(ctx, in.Folder, in.UIDs[:2], mail.FlagChange{Add: []string{mail.FlagDeleted}}); err != nil {
			t.Fatal(err)
		}
		if n := len(listUIDs(t, m, "INBOX").UIDs); n != 4 {
			t.Fatalf("soft delete removed messages: %d left", n)
		}
		// Another client flags one more: a hard delete of ours must not take it.
		other := corpustest.Login(t, srv.Addr(), dvUser, dvPass)
		if _, err := other.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		if err := other.Store(imap.UIDSetNum(imap.UID(in.UIDs[3])), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			t.Fatal(err)
		}
		gone, err := m.Expunge(ctx, in.Folder, in.UIDs[:1])
		if err != nil || !slices.Equal(gone, in.UIDs[:1]) {
			t.Fatalf("expunge: %v %v", gone, err)
		}
		if left := listUIDs(t, m, "INBOX").UIDs; !slices.Equal(left, in.UIDs[1:]) {
			t.Fatalf("left %v, want %v", left, in.UIDs[1:])
		}
	})
}

func mustQuery(t *testing.T, s string) mail.Query {
	t.Helper()
	q, err := mail.ParseQuery(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestSearchCompilesTheQueryLanguage(t *testing.T) {
	remediationServers(t, 0, func(t *testing.T, srv imapservers.Server, m *Mailbox, _ string) {
		ctx := context.Background()
		msg := func(from, subject, body string, date time.Time) imapservers.Message {
			raw := "From: " + from + "\r\nTo: soc@example.com\r\nSubject: " + subject + "\r\nDate: " + date.Format(time.RFC1123Z) +
				"\r\nMessage-ID: <" + subject + "@t>\r\n\r\n" + body + "\r\n"
			return imapservers.Message{Raw: []byte(raw), InternalDate: date}
		}
		d := func(day int) time.Time { return time.Date(2026, 10, day, 12, 0, 0, 0, time.UTC) }
		if err := srv.Deliver(dvUser, "INBOX",
			msg("ceo@evil.example", "Urgent wire", "please wire money", d(1)),
			msg("alice@example.com", "Lunch", "sandwiches", d(5)),
			msg("billing@evil.example", "Invoice 42", "wire the invoice", d(10)),
		); err != nil {
			t.Fatal(err)
		}
		in := listUIDs(t, m, "INBOX")
		if len(in.UIDs) != 3 {
			t.Fatalf("%d messages", len(in.UIDs))
		}
		if err := m.SetSeen(ctx, in.Folder, in.UIDs[1:2], true); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			q    string
			want []int
		}{
			{"from:evil.example", []int{0, 2}},
			{"wire", []int{0, 2}},
			{"body:sandwiches", []int{1}},
			{`subject:"urgent wire"`, []int{0}},
			{"-from:evil.example", []int{1}},
			{"is:read", []int{1}},
			{"is:unread from:evil", []int{0, 2}},
			{"since:2026-10-04 before:2026-10-09", []int{1}},
			{"nothing-matches-this", nil},
		}
		for _, tt := range tests {
			ref, got, err := m.Search(ctx, "INBOX", mustQuery(t, tt.q))
			if err != nil {
				t.Fatalf("%s: %v", tt.q, err)
			}
			if ref.UIDValidity != in.Folder.UIDValidity {
				t.Fatalf("%s: validity %d", tt.q, ref.UIDValidity)
			}
			var want []mail.UID
			for _, i := range tt.want {
				want = append(want, in.UIDs[i])
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: got %v, want %v", tt.q, got, want)
			}
		}
	})
}

func TestFolderInfoAndAppend(t *testing.T) {
	remediationServers(t, 3, func(t *testing.T, srv imapservers.Server, m *Mailbox, nested string) {
		ctx := context.Background()
		raw := []byte("From: soc@example.com\r\nSubject: report\r\nMessage-ID: <r1@t>\r\n\r\nsent\r\n")
		uid, err := m.Append(ctx, "Archive", raw, mail.Flags{Seen: true}, time.Now())
		if err != nil || uid == 0 {
			t.Fatalf("append: %d %v", uid, err)
		}
		info, err := m.FolderInfo(ctx, "Archive")
		if err != nil {
			t.Fatal(err)
		}
		// Courier has no STATUS=SIZE: the size is unknown (-1) there.
		sizeOK := info.Size >= int64(len(raw)) || srv.Kind() == imapservers.Courier && info.Size == -1
		if info.Messages != 1 || info.Unseen != 0 || info.UIDValidity == 0 || info.UIDNext <= uint32(uid) || !sizeOK {
			t.Fatalf("info %+v", info)
		}
		if !slices.Equal(info.Children, []string{nested}) {
			t.Fatalf("children %q", info.Children)
		}
		inbox, err := m.FolderInfo(ctx, "INBOX")
		if err != nil || inbox.Messages != 3 || inbox.Unseen != 3 {
			t.Fatalf("INBOX %+v %v", inbox, err)
		}
	})
}

func TestStaleUIDValidityTouchesNothing(t *testing.T) {
	remediationServers(t, 2, func(t *testing.T, _ imapservers.Server, m *Mailbox, _ string) {
		in := listUIDs(t, m, "INBOX")
		stale := in.Folder
		stale.UIDValidity++
		if _, err := m.Move(context.Background(), stale, in.UIDs, "Junk"); err == nil {
			t.Fatal("move with a stale UIDVALIDITY went ahead")
		}
		if n := len(listUIDs(t, m, "INBOX").UIDs); n != 2 {
			t.Fatalf("INBOX has %d", n)
		}
	})
}

// On every server (Courier has no MOVE: COPY, \Deleted, UID EXPUNGE) a
// move leaves alone a message another client flagged \Deleted, and a move
// to a folder that does not exist changes nothing.
func TestMoveTouchesOnlyItsOwnMessages(t *testing.T) {
	remediationServers(t, 5, func(t *testing.T, srv imapservers.Server, m *Mailbox, _ string) {
		ctx := context.Background()
		in := listUIDs(t, m, "INBOX")
		tr, err := m.Move(ctx, in.Folder, in.UIDs, "Does not exist")
		if err == nil || len(tr.Done) != 0 || len(tr.NotDone) != 5 {
			t.Fatalf("move to a missing folder: %+v %v", tr, err)
		}
		other := corpustest.Login(t, srv.Addr(), dvUser, dvPass)
		if _, err := other.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		foreign := imap.UIDSetNum(imap.UID(in.UIDs[4]))
		if err := other.Store(foreign, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			t.Fatal(err)
		}
		tr, err = m.Move(ctx, in.Folder, in.UIDs[:2], "Junk")
		if err != nil || len(tr.Done) != 2 || tr.Flagged {
			t.Fatalf("move: %+v %v", tr, err)
		}
		if left := listUIDs(t, m, "INBOX").UIDs; !slices.Equal(left, in.UIDs[2:]) {
			t.Fatalf("INBOX has %v, want %v (the foreign \\Deleted message must stay)", left, in.UIDs[2:])
		}
		if n := len(listUIDs(t, m, "Junk").UIDs); n != 2 {
			t.Fatalf("Junk has %d", n)
		}
	})
}
