package graph

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
)

// A journal that grew past what it describes is rewritten as a snapshot;
// another process sharing it notices and replays the new file, UIDs are
// never handed out twice (even those of messages gone since), and a
// later process reads the same map.
func TestJournalSnapshotKeepsUIDsAndProcessesInStep(t *testing.T) {
	defer func(old int64) { compactAt = old }(compactAt)
	compactAt = 4096
	srv := graphtest.New()
	defer srv.Close()
	dir := t.TempDir()
	token := srv.MintToken()
	open := func() *Mailbox {
		m := New(Config{BaseURL: srv.BaseURL(), HTTPClient: srv.Client(), StateDir: dir,
			Token: func(context.Context) (string, error) { return token, nil }})
		t.Cleanup(func() { m.Close() })
		return m
	}
	a, b := open(), open()
	ctx := context.Background()
	var highest mail.UID
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for round := range 30 {
		for i := range 4 {
			srv.Deliver("Inbox", fmt.Appendf(nil, "Subject: r%d-%d\r\nMessage-Id: <r%d-%d@x>\r\n\r\nx\r\n", round, i, round, i), base.Add(time.Duration(round*10+i)*time.Minute))
		}
		box := a
		if round%3 == 0 {
			box = b
		}
		l, err := box.List(ctx, "Inbox", 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.UIDs[len(l.UIDs)-1]; got <= highest {
			t.Fatalf("round %d: UID %d handed out again (highest so far %d)", round, got, highest)
		}
		highest = l.UIDs[len(l.UIDs)-1]
		// Move the newest three away: their UIDs are gone for good.
		if _, err := box.Move(ctx, l.Folder, l.UIDs[len(l.UIDs)-3:], "Junk Email"); err != nil {
			t.Fatal(err)
		}
	}
	la, err1 := a.List(ctx, "Inbox", 0)
	lb, err2 := b.List(ctx, "Inbox", 0)
	lc, err3 := open().List(ctx, "Inbox", 0)
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if len(la.UIDs) != 30 || !slices.Equal(la.UIDs, lb.UIDs) || !slices.Equal(la.UIDs, lc.UIDs) || la.Folder != lc.Folder {
		t.Fatalf("the processes disagree after snapshots:\n%v\n%v\n%v", la.UIDs, lb.UIDs, lc.UIDs)
	}
	ids := func(m *Mailbox, l mail.Listing) map[mail.UID]string {
		got, err := m.MessageIDs(ctx, l.Folder, l.UIDs)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	ia, ib := ids(a, la), ids(b, lb)
	for u, id := range ia {
		if ib[u] != id {
			t.Fatalf("UID %d is %s in one process and %s in the other", u, id, ib[u])
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "graph", "*.uids"))
	snapshots := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		st, _ := os.Stat(f)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", f, st.Mode(), err)
		}
		if strings.Contains(string(data), `{"next":`) {
			snapshots++
		}
	}
	if snapshots == 0 {
		t.Fatal("no journal was rewritten as a snapshot: the test did not exercise it")
	}
	srv.Deliver("Inbox", []byte("Subject: last\r\n\r\nx\r\n"), base.Add(time.Hour*24))
	if l, _ := b.List(ctx, "Inbox", 0); l.UIDs[len(l.UIDs)-1] != highest+1 {
		t.Fatalf("after snapshots the next UID is %d, want %d", l.UIDs[len(l.UIDs)-1], highest+1)
	}
}
