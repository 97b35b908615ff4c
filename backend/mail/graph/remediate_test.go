package graph_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/graph"
)

func TestMoveMapsNewIDsToUIDsAndUndoes(t *testing.T) {
	srv, m, ids := newBox(t, 6)
	ctx := context.Background()
	in := list(t, m, "Inbox")
	before, _ := m.MessageIDs(ctx, in.Folder, in.UIDs)
	tr, err := m.Move(ctx, in.Folder, in.UIDs[1:4], "Junk Email")
	if err != nil || len(tr.Done) != 3 || len(tr.NotDone) != 0 || tr.To.UIDValidity == 0 {
		t.Fatalf("move: %+v %v", tr, err)
	}
	junk := list(t, m, "Junk Email")
	if junk.Folder.UIDValidity != tr.To.UIDValidity || !slices.Equal(junk.UIDs, tr.Destinations()) {
		t.Fatalf("Junk lists %+v, transfer says %+v", junk, tr)
	}
	after, _ := m.MessageIDs(ctx, junk.Folder, junk.UIDs)
	for _, p := range tr.Done {
		if after[p.Dst] != before[p.Src] {
			t.Fatalf("UID %d went to %d, which is %q, not %q", p.Src, p.Dst, after[p.Dst], before[p.Src])
		}
	}
	if got := srv.Messages("Junk Email"); len(got) != 3 || got[0].ID != ids[1] {
		t.Fatalf("server Junk: %+v (immutable ids should survive the move)", got)
	}
	if left := list(t, m, "Inbox").UIDs; !slices.Equal(left, []mail.UID{1, 5, 6}) {
		t.Fatalf("Inbox left with %v", left)
	}
	// The moved UIDs are gone from the source: a second move does nothing.
	again, err := m.Move(ctx, in.Folder, in.UIDs[1:2], "Archive")
	if err != nil || len(again.Done) != 0 || !slices.Equal(again.NotDone, in.UIDs[1:2]) {
		t.Fatalf("moving a moved UID: %+v %v", again, err)
	}
	back, err := m.Move(ctx, tr.To, tr.Destinations(), "Inbox")
	if err != nil || len(back.Done) != 3 {
		t.Fatalf("undo: %+v %v", back, err)
	}
	if n := len(srv.Messages("Inbox")); n != 6 {
		t.Fatalf("Inbox has %d after undo", n)
	}
}

func TestMoveToMissingFolderKeepsEverything(t *testing.T) {
	srv, m, _ := newBox(t, 3)
	in := list(t, m, "Inbox")
	tr, err := m.Move(context.Background(), in.Folder, in.UIDs, "Does not exist")
	if err == nil || !strings.Contains(err.Error(), "Does not exist") || len(tr.NotDone) != 3 || len(tr.Done) != 0 {
		t.Fatalf("move to a missing folder: %+v %v", tr, err)
	}
	if n := len(srv.Messages("Inbox")); n != 3 {
		t.Fatalf("Inbox has %d", n)
	}
}

func TestCopyGivesNewMessagesUIDsAndKeepsOriginals(t *testing.T) {
	srv, m, ids := newBox(t, 3)
	in := list(t, m, "Inbox")
	tr, err := m.Copy(context.Background(), in.Folder, in.UIDs, "Archive/2026")
	if err != nil || !slices.Equal(tr.Destinations(), []mail.UID{1, 2, 3}) {
		t.Fatalf("copy: %+v %v", tr, err)
	}
	arch := srv.Messages("Archive/2026")
	if len(arch) != 3 || len(srv.Messages("Inbox")) != 3 || slices.Contains(ids, arch[0].ID) {
		t.Fatalf("after copy: archive %d (ids new?), inbox %d", len(arch), len(srv.Messages("Inbox")))
	}
}

// Twenty-five messages need two $batch requests (Graph allows 20).
func TestBulkMoveSplitsIntoBatchesOfTwenty(t *testing.T) {
	srv, m, _ := newBox(t, 25, func(c *graph.Config) { c.PageSize = 100 })
	in := list(t, m, "Inbox")
	tr, err := m.Move(context.Background(), in.Folder, in.UIDs, "Deleted Items")
	if err != nil || len(tr.Done) != 25 {
		t.Fatalf("move: %d done, %v", len(tr.Done), err)
	}
	batches := 0
	for _, r := range srv.Requests() {
		if r == "POST /$batch" {
			batches++
		}
	}
	// one for the well-known folders, two for the moves
	if batches != 3 {
		t.Fatalf("%d $batch requests, want 3", batches)
	}
}

func TestCategoriesRoundTripAndUndo(t *testing.T) {
	srv, m, ids := newBox(t, 4)
	ctx := context.Background()
	in := list(t, m, "Inbox")
	kw, err := mail.EncodeKeyword("Phish – confirmed")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store(ctx, in.Folder, in.UIDs[:1], mail.FlagChange{Add: []string{kw}}); err != nil {
		t.Fatal(err)
	}
	res, err := m.Store(ctx, in.Folder, in.UIDs, mail.FlagChange{Add: []string{kw, mail.FlagFlagged, mail.FlagSeen}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Added[kw], in.UIDs[1:]) || len(res.Added[mail.FlagFlagged]) != 4 || len(res.Added[mail.FlagSeen]) != 4 {
		t.Fatalf("result %+v", res)
	}
	msg, _ := srv.Message(ids[2])
	if !slices.Equal(msg.Categories, []string{"Phish – confirmed"}) || !msg.Flagged || !msg.IsRead {
		t.Fatalf("server state %+v", msg)
	}
	envs, _ := m.Envelopes(ctx, in.Folder, in.UIDs)
	for _, e := range envs {
		if len(e.Flags.Keywords) != 1 || mail.DecodeKeyword(e.Flags.Keywords[0]) != "Phish – confirmed" || !e.Flags.Flagged {
			t.Fatalf("flags of %d: %+v", e.UID, e.Flags)
		}
	}
	for _, r := range res.Reverse() {
		if _, err := m.Store(ctx, in.Folder, r.UIDs, r.Change); err != nil {
			t.Fatal(err)
		}
	}
	first, _ := srv.Message(ids[0])
	other, _ := srv.Message(ids[1])
	if len(first.Categories) != 1 || len(other.Categories) != 0 || other.Flagged || other.IsRead {
		t.Fatalf("after undo: first %+v other %+v", first, other)
	}
}

func TestCategoriesKeepOtherClientsCategories(t *testing.T) {
	srv, m, ids := newBox(t, 1)
	ctx := context.Background()
	in := list(t, m, "Inbox")
	if _, err := m.Store(ctx, in.Folder, in.UIDs, mail.FlagChange{Add: []string{"Red"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store(ctx, in.Folder, in.UIDs, mail.FlagChange{Add: []string{"Blue"}}); err != nil {
		t.Fatal(err)
	}
	res, err := m.Store(ctx, in.Folder, in.UIDs, mail.FlagChange{Remove: []string{"red"}})
	if err != nil || len(res.Removed["red"]) != 1 {
		t.Fatalf("remove: %+v %v", res, err)
	}
	msg, _ := srv.Message(ids[0])
	if !slices.Equal(msg.Categories, []string{"Blue"}) {
		t.Fatalf("categories %q", msg.Categories)
	}
}

func TestDeletedFlagIsRefusedClearly(t *testing.T) {
	_, m, _ := newBox(t, 1)
	in := list(t, m, "Inbox")
	_, err := m.Store(context.Background(), in.Folder, in.UIDs, mail.FlagChange{Add: []string{mail.FlagDeleted}})
	if err == nil || !strings.Contains(err.Error(), `\Deleted`) {
		t.Fatalf("\\Deleted: %v", err)
	}
}

func TestExpungeDeletesExactlyThoseMessages(t *testing.T) {
	srv, m, ids := newBox(t, 3)
	in := list(t, m, "Inbox")
	gone, err := m.Expunge(context.Background(), in.Folder, in.UIDs[:2])
	if err != nil || !slices.Equal(gone, in.UIDs[:2]) {
		t.Fatalf("expunge: %v %v", gone, err)
	}
	left := srv.Messages("Inbox")
	if len(left) != 1 || left[0].ID != ids[2] || len(srv.Messages("Deleted Items")) != 0 {
		t.Fatalf("left %+v", left)
	}
}

func TestAppendCreatesFromMIMEInTheFolder(t *testing.T) {
	srv, m, _ := newBox(t, 0)
	ctx := context.Background()
	kw, _ := mail.EncodeKeyword("Reported")
	uid, err := m.Append(ctx, "Sent Items", raw(7, "soc@example.com", "Report"), mail.Flags{Seen: true, Keywords: []string{kw}}, time.Now())
	if err != nil || uid == 0 {
		t.Fatalf("append: %d %v", uid, err)
	}
	sent := srv.Messages("Sent Items")
	if len(sent) != 1 || sent[0].Subject != "Report" || !slices.Equal(sent[0].Categories, []string{"Reported"}) || len(srv.Messages("Drafts")) != 0 {
		t.Fatalf("sent %+v drafts %d", sent, len(srv.Messages("Drafts")))
	}
	l := list(t, m, "Sent Items")
	if !slices.Equal(l.UIDs, []mail.UID{uid}) {
		t.Fatalf("listing %v, append said %d", l.UIDs, uid)
	}
}

func TestSearchCompilesToFilterAndSearch(t *testing.T) {
	srv, m, ids := newBox(t, 6)
	ctx := context.Background()
	in := list(t, m, "Inbox")
	srv.SetRead(ids[1], true)
	srv.SetRead(ids[2], true)
	if _, err := m.Store(ctx, in.Folder, in.UIDs[2:3], mail.FlagChange{Add: []string{"Phish", mail.FlagFlagged}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		q      string
		want   []mail.UID
		filter bool // expect $filter, not $search
	}{
		{"is:unread", []mail.UID{1, 4, 5, 6}, true},
		{"is:read is:flagged", []mail.UID{3}, true},
		{"tag:Phish", []mail.UID{3}, true},
		{"-tag:Phish is:read", []mail.UID{2}, true},
		{"from:s4@example.com", []mail.UID{5}, true},
		{"message-id:<m5@example.com>", []mail.UID{6}, true},
		{"since:2026-11-01 before:2026-11-02", []mail.UID{1, 2, 3, 4, 5, 6}, true},
		{"before:2026-11-01", nil, true},
		{"subject:\"Message 3\"", []mail.UID{4}, false},
		{"body:\"message 2\" is:read", []mail.UID{3}, false},
		{"from:s1 -subject:nothing", []mail.UID{2}, false},
		{"is:deleted", nil, true},
	}
	for _, c := range cases {
		q, err := mail.ParseQuery(c.q)
		if err != nil {
			t.Fatal(err)
		}
		n := len(srv.Requests())
		ref, got, err := m.Search(ctx, "Inbox", q)
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		if ref.UIDValidity != in.Folder.UIDValidity || !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.q, got, c.want)
		}
		for _, r := range srv.Requests()[n:] {
			if strings.Contains(r, "/messages?") && strings.Contains(r, "%24search") == c.filter {
				t.Errorf("%s: sent %s", c.q, r)
			}
		}
	}
}

func TestThrottledRequestsWaitForRetryAfter(t *testing.T) {
	srv, m, _ := newBox(t, 2)
	srv.Throttle(2, 1)
	start := time.Now()
	l := list(t, m, "Inbox")
	if len(l.UIDs) != 2 || time.Since(start) < 2*time.Second {
		t.Fatalf("listing %v after %s (two 429s with Retry-After: 1)", l.UIDs, time.Since(start))
	}
	srv.ThrottleBatchItems(1, 1)
	if err := m.SetSeen(context.Background(), l.Folder, l.UIDs, true); err != nil {
		t.Fatalf("SetSeen with a throttled batch item: %v", err)
	}
	for _, msg := range srv.Messages("Inbox") {
		if !msg.IsRead {
			t.Fatal("the throttled item was not retried")
		}
	}
}

func TestThrottlingLongerThanWeWaitIsReported(t *testing.T) {
	srv, m, _ := newBox(t, 1, func(c *graph.Config) { c.MaxRetryWait = time.Second })
	srv.Throttle(1, 120)
	_, err := m.List(context.Background(), "Inbox", 0)
	if err == nil || !strings.Contains(err.Error(), "throttled") {
		t.Fatalf("long throttle: %v", err)
	}
}

func TestErrorsAreReadable(t *testing.T) {
	srv, _, _ := newBox(t, 0)
	m := graph.New(graph.Config{BaseURL: srv.BaseURL(), HTTPClient: srv.Client(), Mailbox: "nobody@example.com",
		Token: func(context.Context) (string, error) { return srv.MintToken(), nil }})
	defer m.Close()
	_, err := m.Folders(context.Background())
	var ge *graph.Error
	if !errors.As(err, &ge) || ge.Code != "ErrorInvalidUser" || !strings.Contains(err.Error(), "nobody@example.com") {
		t.Fatalf("unknown mailbox: %v", err)
	}
	bad := graph.New(graph.Config{BaseURL: srv.BaseURL(), HTTPClient: srv.Client(), Token: func(context.Context) (string, error) { return "expired", nil }})
	defer bad.Close()
	if _, err := bad.Folders(context.Background()); err == nil || !strings.Contains(err.Error(), "InvalidAuthenticationToken") || !strings.Contains(err.Error(), "401") {
		t.Fatalf("bad token: %v", err)
	}
}

func TestOtherMailboxIsAddressedUnderUsers(t *testing.T) {
	srv, _, _ := newBox(t, 2)
	m := graph.New(graph.Config{BaseURL: srv.BaseURL(), HTTPClient: srv.Client(), Mailbox: srv.Mailbox,
		Token: func(context.Context) (string, error) { return srv.MintToken(), nil }})
	defer m.Close()
	if l, err := m.List(context.Background(), "Inbox", 1); err != nil || len(l.UIDs) != 2 || len(l.Newest) != 1 {
		t.Fatalf("List via /users: %+v %v", l, err)
	}
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r, "GET /users/analyst@example.com/mailFolders") {
			return
		}
	}
	t.Fatalf("no request went to /users/{mailbox}: %v", srv.Requests())
}

func TestDeltaPollingReportsArrivalsAndChanges(t *testing.T) {
	srv, m, ids := newBox(t, 2)
	m.Watch("Inbox")
	time.Sleep(200 * time.Millisecond) // the first round learns what is there
	srv.Deliver("Inbox", raw(9, "new@example.com", "New"), base.Add(time.Hour))
	srv.Deliver("Inbox", raw(10, "new@example.com", "Newer"), base.Add(2*time.Hour))
	want := map[mail.EventKind]int{mail.EventArrived: 2}
	deadline := time.After(5 * time.Second)
	got := map[mail.EventKind]int{}
	var status *mail.FolderStatus
	for got[mail.EventArrived] < 2 || status == nil {
		select {
		case ev := <-m.Events():
			switch ev.Kind {
			case mail.EventArrived:
				got[ev.Kind] += ev.Count
			case mail.EventStatus:
				if ev.Folder == "Inbox" && ev.Status.Messages == 4 {
					status = &ev.Status
				}
			}
		case <-deadline:
			t.Fatalf("events so far %v (want %v), status %v", got, want, status)
		}
	}
	srv.SetRead(ids[0], true)
	for {
		select {
		case ev := <-m.Events():
			if ev.Kind == mail.EventFlagsChanged && ev.Folder == "Inbox" {
				return
			}
			if ev.Kind == mail.EventArrived {
				t.Fatalf("a flag change reported as an arrival: %+v", ev)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no EventFlagsChanged after another client read a message")
		}
	}
}
