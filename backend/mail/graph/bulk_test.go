package graph_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
)

func fetchAll(t *testing.T, m *graph.Mailbox, l mail.Listing) []*mail.RawMessage {
	t.Helper()
	var got []*mail.RawMessage
	err := m.FetchMany(context.Background(), l.Folder, l.UIDs, 0, func(msg *mail.RawMessage) error {
		got = append(got, msg)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// FetchMany reads 20 messages per $batch, never more than four requests
// at once (with a store slow enough for them to overlap), and hands them
// over in order with their bytes intact.
func TestFetchManyBatchesTwentyAndStaysWithinFourAtOnce(t *testing.T) {
	srv, m, _ := newBox(t, 200, func(c *graph.Config) { c.PageSize = 500 })
	l := list(t, m, "Inbox")
	srv.SetServiceTime(2 * time.Millisecond)
	srv.ResetCounts()
	got := fetchAll(t, m, l)
	if len(got) != 200 {
		t.Fatalf("%d of 200 messages", len(got))
	}
	want := srv.Messages("Inbox")
	for i, msg := range got {
		if msg.UID != l.UIDs[i] || string(msg.Raw) != string(want[i].Raw) || msg.Flags.Seen {
			t.Fatalf("message %d: UID %d (want %d), %d bytes, seen %v", i, msg.UID, l.UIDs[i], len(msg.Raw), msg.Flags.Seen)
		}
	}
	if n := srv.HTTPRequests(); n != 10 {
		t.Fatalf("%d HTTP requests for 200 messages, want 10 batches", n)
	}
	if n := srv.MaxInFlight(); n > 4 || n < 2 {
		t.Fatalf("%d requests ran at once against the mailbox, want 2..4", n)
	}
	if n := srv.ConcurrencyRefusals(); n != 0 {
		t.Fatalf("%d refusals for MailboxConcurrency", n)
	}
}

// Sub-requests the server throttles inside a batch (429 + Retry-After)
// go again alone, after the wait; the others are not repeated.
func TestThrottledSubRequestsAreRetriedAlone(t *testing.T) {
	srv, m, _ := newBox(t, 20, func(c *graph.Config) { c.PageSize = 500 })
	l := list(t, m, "Inbox")
	srv.ResetCounts()
	srv.ThrottleBatchItems(3, 1)
	start := time.Now()
	got := fetchAll(t, m, l)
	if len(got) != 20 {
		t.Fatalf("%d of 20", len(got))
	}
	if time.Since(start) < time.Second {
		t.Fatal("Retry-After: 1 was not waited for")
	}
	var values int
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r, "batch GET") && strings.HasSuffix(r, "/$value") {
			values++
		}
	}
	if values != 23 || srv.HTTPRequests() != 2 {
		t.Fatalf("%d /$value sub-requests in %d requests, want 23 in 2 (the three throttled alone again)", values, srv.HTTPRequests())
	}
}

// A server that allows fewer requests at once than the client sends
// answers 429 (MailboxConcurrency); the client waits and gets everything.
func TestMailboxConcurrencyRefusalsAreWaitedOut(t *testing.T) {
	srv, m, _ := newBox(t, 100, func(c *graph.Config) { c.PageSize = 500 })
	l := list(t, m, "Inbox")
	srv.SetMailboxConcurrency(2)
	srv.SetServiceTime(5 * time.Millisecond)
	srv.ResetCounts()
	got := fetchAll(t, m, l)
	if len(got) != 100 {
		t.Fatalf("%d of 100", len(got))
	}
	if srv.ConcurrencyRefusals() == 0 {
		t.Fatal("the server never refused: the test did not exercise MailboxConcurrency")
	}
	seen := map[mail.UID]bool{}
	for _, msg := range got {
		if seen[msg.UID] {
			t.Fatalf("UID %d handed over twice", msg.UID)
		}
		seen[msg.UID] = true
	}
}

// Delta queries ask for large pages: 600 messages are read in two
// requests, not sixty.
func TestDeltaAsksForLargePages(t *testing.T) {
	srv, m, _ := newBox(t, 600, func(c *graph.Config) { c.PageSize = 500 })
	srv.ResetCounts()
	if l := list(t, m, "Inbox"); len(l.UIDs) != 600 {
		t.Fatalf("%d UIDs", len(l.UIDs))
	}
	if n := deltaRequests(srv); n != 2 {
		t.Fatalf("%d delta requests for 600 messages", n)
	}
}

// A later process with the same state dir sees the same UIDs and
// UIDVALIDITY; new mail gets the next UID; a recreated folder or a lost
// UID map gets another UIDVALIDITY, so old UIDs are refused.
func TestUIDsSurviveTheProcess(t *testing.T) {
	dir := t.TempDir()
	withState := func(d string) func(*graph.Config) { return func(c *graph.Config) { c.StateDir = d } }
	srv, first, _ := newBox(t, 5, withState(dir))
	l1 := list(t, first, "Inbox")
	envs1, err := first.Envelopes(context.Background(), l1.Folder, l1.UIDs)
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	srv.Deliver("Inbox", raw(99, "late@example.com", "Late"), base.Add(-time.Hour))
	second := reopen(t, srv, withState(dir))
	l2 := list(t, second, "Inbox")
	if l2.Folder.UIDValidity != l1.Folder.UIDValidity || !slices.Equal(l2.UIDs, []mail.UID{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("second process: %+v, first %+v", l2, l1.Folder)
	}
	envs2, err := second.Envelopes(context.Background(), l2.Folder, l1.UIDs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range envs1 {
		if envs1[i].UID != envs2[i].UID || envs1[i].MessageID != envs2[i].MessageID {
			t.Fatalf("UID %d was %s, is %s", envs1[i].UID, envs1[i].MessageID, envs2[i].MessageID)
		}
	}
	st, err := firstFile(dir)
	if err != nil || st != 0o600 {
		t.Fatalf("UID map file mode %v %v", st, err)
	}
	// Lost map: another UIDVALIDITY.
	other := reopen(t, srv, withState(t.TempDir()))
	if l := list(t, other, "Inbox"); l.Folder.UIDValidity == l1.Folder.UIDValidity {
		t.Fatal("a lost UID map kept the UIDVALIDITY")
	}
	// Recreated folder: another UIDVALIDITY; old UIDs refused.
	srv.AddFolder("Cases")
	srv.Deliver("Cases", raw(1, "a@example.com", "Case"), base)
	lc := list(t, second, "Cases")
	srv.DeleteFolder("Cases")
	srv.AddFolder("Cases")
	srv.Deliver("Cases", raw(2, "b@example.com", "Other case"), base)
	third := reopen(t, srv, withState(dir))
	if _, err := third.Fetch(context.Background(), lc.Folder, lc.UIDs[0], 0); err != mail.ErrUIDValidityChanged {
		t.Fatalf("a UID of the deleted folder: %v", err)
	}
}

// Two processes sharing the state dir never give one UID to two messages.
func TestProcessesSharingTheMapAgreeOnUIDs(t *testing.T) {
	dir := t.TempDir()
	srv, a, _ := newBox(t, 3, func(c *graph.Config) { c.StateDir = dir })
	b := reopen(t, srv, func(c *graph.Config) { c.StateDir = dir })
	var wg sync.WaitGroup
	listings := make([][]mail.Listing, 2)
	for p, box := range []*graph.Mailbox{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				srv.Deliver("Inbox", raw(100*p+i, "x@example.com", fmt.Sprintf("p%d-%d", p, i)), base.Add(time.Duration(i)*time.Hour))
				l, err := box.List(context.Background(), "Inbox", 0)
				if err != nil {
					t.Error(err)
					return
				}
				listings[p] = append(listings[p], l)
			}
		}()
	}
	wg.Wait()
	la, lb := list(t, a, "Inbox"), list(t, b, "Inbox")
	if !slices.Equal(la.UIDs, lb.UIDs) || len(la.UIDs) != 23 || la.Folder != lb.Folder {
		t.Fatalf("the processes disagree: %v vs %v", la.UIDs, lb.UIDs)
	}
	ea, err1 := a.MessageIDs(context.Background(), la.Folder, la.UIDs)
	eb, err2 := b.MessageIDs(context.Background(), lb.Folder, lb.UIDs)
	if err1 != nil || err2 != nil || len(ea) != 23 {
		t.Fatal(err1, err2, len(ea))
	}
	for u, id := range ea {
		if eb[u] != id {
			t.Fatalf("UID %d is %s in one process, %s in the other", u, id, eb[u])
		}
	}
}

func reopen(t *testing.T, srv *graphtest.Server, opts ...func(*graph.Config)) *graph.Mailbox {
	t.Helper()
	token := srv.MintToken()
	cfg := graph.Config{BaseURL: srv.BaseURL(), HTTPClient: srv.Client(), PageSize: 3,
		Token: func(context.Context) (string, error) { return token, nil }}
	for _, o := range opts {
		o(&cfg)
	}
	m := graph.New(cfg)
	t.Cleanup(func() { m.Close() })
	return m
}

// firstFile is the mode of the first UID map file under dir/graph.
func firstFile(dir string) (os.FileMode, error) {
	files, err := filepath.Glob(filepath.Join(dir, "graph", "*.uids"))
	if err != nil || len(files) == 0 {
		return 0, fmt.Errorf("no UID map under %s: %v", dir, err)
	}
	st, err := os.Stat(files[0])
	if err != nil {
		return 0, err
	}
	return st.Mode().Perm(), nil
}

// A deltaLink the server no longer knows (410) makes the next round read
// the folder whole: new mail still gets the next UID, none is lost.
func TestExpiredDeltaLinkReadsTheFolderAgain(t *testing.T) {
	dir := t.TempDir()
	srv, m, _ := newBox(t, 4, func(c *graph.Config) { c.StateDir = dir })
	list(t, m, "Inbox")
	m.Close()
	corruptDeltaLinks(t, dir)
	srv.Deliver("Inbox", raw(9, "n@example.com", "New"), base.Add(time.Hour))
	again := reopen(t, srv, func(c *graph.Config) { c.StateDir = dir })
	if l := list(t, again, "Inbox"); !slices.Equal(l.UIDs, []mail.UID{1, 2, 3, 4, 5}) {
		t.Fatalf("after a lost sync state: %v", l.UIDs)
	}
}

// corruptDeltaLinks appends a deltaLink whose token the emulator cannot
// read, as one that expired on the server.
func corruptDeltaLinks(t *testing.T, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "graph", "*.uids"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		i := strings.LastIndex(string(data), `{"delta":"`)
		if i < 0 {
			continue
		}
		link := string(data[i+len(`{"delta":"`):])
		link = link[:strings.Index(link, "deltatoken=")] + `deltatoken=expired"}` + "\n"
		fh, err := os.OpenFile(f, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fh.WriteString(`{"delta":"` + link)
		fh.Close()
	}
}
