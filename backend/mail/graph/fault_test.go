package graph_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
	"github.com/mailtriage/mailtriage/internal/netproxy"
)

// proxied is an emulator behind a proxy that can cut every connection,
// and a Mailbox talking through it.
func proxied(t *testing.T) (*graphtest.Server, *netproxy.Proxy, *graph.Mailbox) {
	t.Helper()
	srv := graphtest.New()
	t.Cleanup(srv.Close)
	proxy := netproxy.Start(t, strings.TrimPrefix(srv.URL(), "http://"))
	token := srv.MintToken()
	m := graph.New(graph.Config{BaseURL: "http://" + proxy.Addr + "/v1.0", Token: func(context.Context) (string, error) { return token, nil },
		MaxRetryWait: 5 * time.Second})
	t.Cleanup(func() { m.Close() })
	return srv, proxy, m
}

func countSubjects(msgs []graphtest.Message, prefix string) int {
	n := 0
	for _, msg := range msgs {
		if strings.HasPrefix(msg.Subject, prefix) {
			n++
		}
	}
	return n
}

// A link cut at any byte of a bulk move never loses a message and never
// misreports one: what the move says it did is what the server holds.
// Unanswered moves are looked up, and only those that did not happen are
// sent again.
func TestMoveThroughACutAnywhereReportsWhatHappened(t *testing.T) {
	srv, proxy, m := proxied(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(14, 2))
	cuts := 0
	for round := range 20 {
		prefix := fmt.Sprintf("round %d ", round)
		for i := range 30 {
			srv.Deliver("Inbox", raw(i, "x@example.com", prefix+fmt.Sprint(i)), base.Add(time.Duration(round*100+i)*time.Minute))
		}
		l := list(t, m, "Inbox")
		proxy.CutAfter(int64(300 + r.IntN(30000)))
		tr, err := m.Move(ctx, l.Folder, l.UIDs, "Junk Email")
		proxy.Disarm()
		if proxy.Cut() {
			cuts++
		}
		if err != nil {
			t.Fatalf("round %d: %v (every unanswered move can be looked up once the link is back)", round, err)
		}
		inJunk, inInbox := countSubjects(srv.Messages("Junk Email"), prefix), countSubjects(srv.Messages("Inbox"), prefix)
		if inJunk+inInbox != 30 || len(tr.Done) != inJunk || len(tr.NotDone) != inInbox {
			t.Fatalf("round %d: server has %d moved, %d not; the move said %d done, %d not done", round, inJunk, inInbox, len(tr.Done), len(tr.NotDone))
		}
		// Leave Inbox empty for the next round.
		if rest := list(t, m, "Inbox"); len(rest.UIDs) > 0 {
			if _, err := m.Move(ctx, rest.Folder, rest.UIDs, "Junk Email"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if cuts < 10 {
		t.Fatalf("only %d of 20 rounds were cut", cuts)
	}
}

// A copy whose answer was lost is not sent again: a second copy would be
// a duplicate, and there is no telling the first one happened. The error
// says the outcome is unknown.
func TestCopyIsNotResentAfterACut(t *testing.T) {
	srv, proxy, m := proxied(t)
	ctx := context.Background()
	for i := range 10 {
		srv.Deliver("Inbox", raw(i, "x@example.com", fmt.Sprint("copy ", i)), base.Add(time.Duration(i)*time.Minute))
	}
	l := list(t, m, "Inbox")
	// Cut in the answer: the copies are made, the client never hears so.
	proxy.CutAfter(6000)
	tr, err := m.Copy(ctx, l.Folder, l.UIDs, "Junk Email")
	if !proxy.Cut() {
		t.Fatal("the link was not cut")
	}
	if !errors.Is(err, graph.ErrUncertain) || len(tr.Done) != 0 {
		t.Fatalf("copy through a cut: %v, %d done", err, len(tr.Done))
	}
	if n := len(srv.Messages("Junk Email")); n > 10 {
		t.Fatalf("%d copies of 10 messages: sent again blindly", n)
	}
}

// Reads go again after a broken link: FetchMany through a cut still hands
// over every message once, in order.
func TestFetchManyThroughACutDeliversEachMessageOnce(t *testing.T) {
	srv, proxy, m := proxied(t)
	for i := range 60 {
		srv.Deliver("Inbox", raw(i, "x@example.com", fmt.Sprint("read ", i)), base.Add(time.Duration(i)*time.Minute))
	}
	l := list(t, m, "Inbox")
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 10 {
		proxy.CutAfter(int64(500 + r.IntN(40000)))
		var got []mail.UID
		err := m.FetchMany(context.Background(), l.Folder, l.UIDs, 0, func(msg *mail.RawMessage) error {
			got = append(got, msg.UID)
			return nil
		})
		proxy.Disarm()
		if err != nil || len(got) != 60 {
			t.Fatalf("round %d: %d of 60 messages: %v", round, len(got), err)
		}
		for i, u := range got {
			if u != l.UIDs[i] {
				t.Fatalf("round %d: message %d is UID %d, want %d", round, i, u, l.UIDs[i])
			}
		}
	}
}
